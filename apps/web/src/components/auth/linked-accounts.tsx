import { oauthErrorText } from "@inkwell/domain/identity/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { timeAgo } from "../../lib/format.ts";
import { Notice, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";

const NAMES: Record<string, string> = { clever: "Clever", google: "Google" };

/** Settings: the other accounts this person signs in with; link one (a redirect) or unlink it. */
export function LinkedAccounts() {
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const accounts = useQuery(trpc.signInAccounts.list.queryOptions());
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const unlink = useMutation(
    trpc.signInAccounts.unlink.mutationOptions({
      onSuccess: () => {
        setStatus({ tone: "success", text: "Unlinked." });
        void queryClient.invalidateQueries(trpc.signInAccounts.list.queryFilter());
      },
      onError: (error) => setStatus({ tone: "error", text: describeError(error).message }),
    }),
  );
  const linked = new Set(accounts.data?.accounts.map((a) => a.provider));
  const justLinked = params.get("linked");
  // A link that failed at the provider or here comes back to this section (`/settings?oauth_error=…#sign-in-accounts`).
  const linkError = oauthErrorText(params.get("oauth_error"));
  return (
    <section className="card" id="sign-in-accounts" aria-labelledby="linked-accounts-title">
      <h2 id="linked-accounts-title">Sign-in accounts</h2>
      <p className="muted">
        Other accounts you can sign in with. Teachers link Clever to bring in their classrooms. Unlinking Clever takes you off
        your class rosters (a student loses what was assigned there); a teacher's classrooms stay here until that Clever account
        signs in to another Inkwell account, where they move, without this account's assigned items.
      </p>
      {justLinked && NAMES[justLinked] && <Notice tone="success">{NAMES[justLinked]} is linked.</Notice>}
      {linkError && (
        <Notice tone="error" title="The account was not linked">
          {linkError}
        </Notice>
      )}
      {accounts.isError && (
        <p className="status status-error" role="alert">
          {describeError(accounts.error).message}
        </p>
      )}
      {accounts.data && (
        <ul className="list">
          {accounts.data.accounts.map((a) => (
            <li key={a.id} className="list-row">
              <span>
                <strong>{NAMES[a.provider] ?? a.provider}</strong>
                {a.email ? ` · ${a.email}` : ""}
                <br />
                <small className="muted">Last used {timeAgo(a.lastSignInAt)}</small>
              </span>
              <Button
                variant="secondary"
                pending={unlink.isPending && unlink.variables?.id === a.id}
                onClick={() => unlink.mutate({ id: a.id })}
                aria-label={`Unlink ${NAMES[a.provider] ?? a.provider}`}
              >
                Unlink
              </Button>
            </li>
          ))}
        </ul>
      )}
      <p>
        {(["clever", "google"] as const)
          .filter((p) => accounts.data && !linked.has(p))
          .map((p) => (
            <a key={p} className="btn btn-secondary" style={{ marginRight: "0.5rem" }} href={`/auth/oauth/${p}/start?link=1`}>
              {`Link ${NAMES[p]}`}
            </a>
          ))}
      </p>
      <Status tone={status?.tone}>{status?.text}</Status>
    </section>
  );
}
