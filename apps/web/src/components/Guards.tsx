import { useQuery } from "@tanstack/react-query";
import { Navigate, Outlet, redirect, useLocation } from "react-router";
import { ensureMe, lastSignOutReason, meQuery } from "../lib/api.ts";

const signInPath = (next: string) => (next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`);

/** Route loader: signed-out visitors of a protected page go to sign in, and come back after. */
export async function requireUserLoader({ request }: { request: Request }) {
  if (!(await ensureMe())) {
    const url = new URL(request.url);
    throw redirect(signInPath(url.pathname + url.search));
  }
  return null;
}

/** Route loader: the sign-in and sign-up pages send signed-in users to their profile. */
export async function guestOnlyLoader() {
  if (await ensureMe()) throw redirect("/profile");
  return null;
}

/** Layout for protected pages: when the session ends while one is open, go to sign in. */
export function RequireAuth() {
  const me = useQuery(meQuery()).data;
  const location = useLocation();
  if (!me) {
    const reason = lastSignOutReason();
    const to = reason && reason !== "expired" ? "/sign-in" : signInPath(location.pathname + location.search);
    return <Navigate to={to} replace />;
  }
  return <Outlet />;
}
