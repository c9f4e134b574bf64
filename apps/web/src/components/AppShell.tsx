import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link, NavLink, Outlet, ScrollRestoration, useLocation, useNavigate } from "react-router";
import { meQuery, signedOut, trpc } from "../lib/api.ts";
import { applyTheme, readPreferences } from "../lib/preferences.ts";
import { Avatar } from "./Avatar.tsx";
import { BalanceChip } from "./BalanceChip.tsx";
import { NotificationsBell } from "./NotificationsBell.tsx";
import { Button } from "./SubmitButton.tsx";
import { VerifyBanner } from "./VerifyBanner.tsx";

/** Header, e-mail banner and the page; moves focus to the new page's heading after navigation. */
export function AppShell() {
  const me = useQuery(meQuery()).data ?? null;
  const theme = me ? readPreferences(me.preferences).theme : null;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);
  useFocusOnNavigation();

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand" aria-label="Inkwell home">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <span>Inkwell</span>
          </Link>
          {me ? (
            <>
              <nav aria-label="Main" className="main-nav">
                <NavLink to="/" end>
                  Home
                </NavLink>
                <NavLink to="/chat">Chat</NavLink>
                <NavLink to="/writer">Writer</NavLink>
                <NavLink to="/knowledge">Knowledge</NavLink>
                <NavLink to="/brand-kit">Brand kit</NavLink>
                <NavLink to="/voice">Voice</NavLink>
                <NavLink to="/publishing">Publishing</NavLink>
                <NavLink to="/credits">Credits</NavLink>
                <NavLink to="/profile">Profile</NavLink>
                <NavLink to="/settings">Settings</NavLink>
              </nav>
              <div className="account">
                <BalanceChip />
                <NotificationsBell />
                <Link to="/profile" className="account-name">
                  <Avatar url={me.avatarUrl} name={me.displayName} email={me.email} size={30} />
                  <span className="account-label">{me.displayName || me.email}</span>
                </Link>
                <SignOutButton />
              </div>
            </>
          ) : (
            <nav aria-label="Account" className="account">
              <NavLink to="/sign-in" className="btn btn-ghost btn-small">
                Sign in
              </NavLink>
              <NavLink to="/sign-up" className="btn btn-primary btn-small">
                Create account
              </NavLink>
            </nav>
          )}
        </div>
      </header>
      {me && !me.emailVerified && <VerifyBanner me={me} />}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Inkwell — your AI workspace for writing, stories, content and study.</p>
      </footer>
      <ScrollRestoration />
    </>
  );
}

function SignOutButton() {
  const navigate = useNavigate();
  const done = () => {
    signedOut("signed-out");
    void navigate("/sign-in", { replace: true });
  };
  // Even if the server call fails (e.g. the session already ended), this browser is signed out.
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({ onSettled: done }));
  return (
    <Button variant="ghost" className="btn-small" pending={signOut.isPending} onClick={() => signOut.mutate()}>
      Sign out
    </Button>
  );
}

/**
 * After a client-side navigation, focus the page's h1 so screen readers announce the new page. Links
 * that switch a view within the page (tabs) pass `state={{ keepFocus: true }}` and keep focus on themselves.
 */
function useFocusOnNavigation() {
  const { pathname, state } = useLocation();
  const keepFocus = (state as { keepFocus?: boolean } | null)?.keepFocus === true;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (keepFocus) return;
    const main = document.getElementById("main");
    const heading = main?.querySelector<HTMLElement>("h1");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    } else main?.focus({ preventScroll: true });
  }, [pathname]);
}
