/** Admin users: search by e-mail, change a tier, grant credits with a reason, see sign-ins and balance. */
import { SUBSCRIPTION_TIERS } from "@inkwell/domain/identity/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { describeDevice, formatDateTime } from "../../lib/format.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import s from "./admin.module.css";

type Tier = (typeof SUBSCRIPTION_TIERS)[number];
type AdminUser = Outputs["admin"]["users"]["search"]["users"][number];

export function UsersPanel() {
  const id = useId();
  const [draft, setDraft] = useState("");
  const [query, setQuery] = useState("");
  const users = useQuery(trpc.admin.users.search.queryOptions({ query: query || undefined, limit: 25 }));

  return (
    <div className="stack">
      <form
        className={s.row}
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(draft.trim());
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-q`}>Find users by e-mail</label>
          <input id={`${id}-q`} type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </div>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      {users.isError && <FormError problem={describeError(users.error)} />}
      {users.data && users.data.users.length === 0 && <p className="muted">No users match.</p>}
      {users.data && users.data.users.length > 0 && (
        <ul className="list" aria-label="Users">
          {users.data.users.map((u) => (
            <UserRow key={u.id} user={u} />
          ))}
        </ul>
      )}
    </div>
  );
}

function UserRow({ user }: { user: AdminUser }) {
  const id = useId();
  const qc = useQueryClient();
  const [tier, setTier] = useState(user.subscriptionTier as Tier);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const setTierM = useMutation(
    trpc.admin.users.setTier.mutationOptions({
      onSuccess: () => {
        setStatus(`Tier set to ${tier}.`);
        void qc.invalidateQueries({ queryKey: trpc.admin.users.search.pathKey() });
      },
    }),
  );
  const grant = useMutation(
    trpc.admin.users.grantCredits.mutationOptions({
      onSuccess: (r) => {
        setStatus(r.granted ? `Granted ${amount} credits.` : "That grant was already made.");
        setAmount("");
        setReason("");
        void qc.invalidateQueries({ queryKey: trpc.admin.users.detail.queryKey({ userId: user.id }) });
      },
    }),
  );
  const detail = useQuery({ ...trpc.admin.users.detail.queryOptions({ userId: user.id }), enabled: open });
  const problem = setTierM.isError ? describeError(setTierM.error) : grant.isError ? describeError(grant.error) : null;

  return (
    <li className={s.item}>
      <div className="list-main">
        <p className="list-title">
          {user.displayName || user.email}
          {user.role === "admin" && <span className="badge badge-accent">Admin</span>}
        </p>
        <p className="small muted" style={{ overflowWrap: "anywhere" }}>
          {user.email} · joined {formatDateTime(user.createdAt)} · {user.emailVerified ? "verified" : "not verified"}
        </p>
      </div>
      <div className={s.row}>
        <div className="field">
          <label htmlFor={`${id}-tier`}>Tier</label>
          <select id={`${id}-tier`} value={tier} onChange={(e) => setTier(e.target.value as Tier)}>
            {SUBSCRIPTION_TIERS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <Button
          variant="secondary"
          pending={setTierM.isPending}
          pendingLabel="Saving…"
          onClick={() => setTierM.mutate({ userId: user.id, tier })}
        >
          Set tier
        </Button>
      </div>
      <form
        className={s.row}
        aria-label={`Grant credits to ${user.email}`}
        onSubmit={(e) => {
          e.preventDefault();
          setStatus(null);
          grant.mutate({ userId: user.id, amount: Number(amount), reason, idempotencyKey: crypto.randomUUID() });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-amount`}>Credits</label>
          <input id={`${id}-amount`} inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason (the user sees it)</label>
          <input id={`${id}-reason`} maxLength={300} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <Button type="submit" pending={grant.isPending} pendingLabel="Granting…">
          Grant
        </Button>
      </form>
      <FormError problem={problem} />
      <Status>{status}</Status>
      <div>
        <Button variant="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide sign-ins and balance" : "Show sign-ins and balance"}
        </Button>
      </div>
      {open && detail.data && (
        <div className="stack">
          <p>
            Balance: <strong>{detail.data.balance.available}</strong> credits available
            {detail.data.balance.held > 0 ? `, ${detail.data.balance.held} on hold` : ""}
          </p>
          {detail.data.signIns.length === 0 ? (
            <p className="muted">No active sign-ins.</p>
          ) : (
            <ul className="list" aria-label={`Sign-ins of ${user.email}`}>
              {detail.data.signIns.map((si) => (
                <li key={si.id} className="list-row">
                  <p className="small" style={{ margin: 0, overflowWrap: "anywhere" }}>
                    Signed in {formatDateTime(si.createdAt)} from {si.ip ?? "unknown address"} · {describeDevice(si.userAgent)} ·
                    last seen {formatDateTime(si.lastSeenAt)}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {open && detail.isError && <FormError problem={describeError(detail.error)} />}
    </li>
  );
}
