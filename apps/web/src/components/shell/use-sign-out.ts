import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { signedOut, trpc } from "../../lib/api.ts";

/** Signs out here; even if the server call fails (e.g. the session already ended), this browser is signed out. */
export function useSignOut() {
  const navigate = useNavigate();
  const done = () => {
    signedOut("signed-out");
    void navigate("/sign-in", { replace: true });
  };
  return useMutation(trpc.auth.signOut.mutationOptions({ onSettled: done }));
}
