/**
 * Your data: ask for an export of everything you own (built in the background; the page polls while it
 * is being prepared, and a signed link downloads the zip), and delete your account (the password again,
 * then a confirmation; every session ends at once and the rest is deleted within a minute).
 */
import { type DataExport, DOWNLOAD_LINK_TTL_SECONDS, EXPORT_TTL_DAYS, FORMER_MEMBER } from "@inkwell/domain/account/schemas";
import { formatBytes } from "@inkwell/domain/files/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { FormError, Status } from "../components/Alert.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { ConfirmDialog } from "../components/ui/confirm-dialog.tsx";
import { signedOut, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime } from "../lib/format.ts";
import styles from "./your-data.module.css";

export function YourDataPage() {
  return (
    <div className="page">
      <title>Your data · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Your data</h1>
        <p className="muted">Download everything you keep in Inkwell, or delete your account and all of it.</p>
      </header>
      <ExportSection />
      <DeleteSection />
    </div>
  );
}

const STATUS_LABELS: Record<DataExport["status"], string> = {
  pending: "Waiting to start",
  building: "Being prepared",
  ready: "Ready",
  failed: "Failed",
  expired: "Expired",
};

function ExportSection() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const list = useQuery({
    ...trpc.account.exports.list.queryOptions(),
    // Poll while one is being prepared; the signed links are also refreshed before they run out.
    refetchInterval: (query) =>
      query.state.data?.some((e) => e.status === "pending" || e.status === "building")
        ? 2000
        : (DOWNLOAD_LINK_TTL_SECONDS - 60) * 1000,
  });
  const request = useMutation(
    trpc.account.exports.request.mutationOptions({
      onSuccess: () => {
        setStatus("Export requested. It is usually ready within a minute; we will e-mail you too.");
        void queryClient.invalidateQueries({ queryKey: trpc.account.exports.list.queryKey() });
      },
    }),
  );
  const exports = list.data ?? [];
  const busy = exports.some((e) => e.status === "pending" || e.status === "building");

  return (
    <section className="card stack" aria-labelledby="export-heading">
      <h2 id="export-heading">Export your data</h2>
      <p>
        A zip of every row you own in each part of Inkwell (one JSON file per table) and every file you uploaded. Stories,
        comments and reactions you wrote in other families' campaigns are included; what others wrote is not. Password and token
        hashes and sealed keys are left out. Each export can be downloaded for {EXPORT_TTL_DAYS} days.
      </p>
      <FormError problem={request.isError ? describeError(request.error) : null} />
      <div className="form-actions">
        <Button pending={request.isPending} pendingLabel="Requesting…" disabled={busy} onClick={() => request.mutate()}>
          Request an export
        </Button>
        {/* Only while it is being prepared: the list says when it is ready. */}
        <Status>{busy ? status : null}</Status>
      </div>
      {exports.length > 0 && (
        <ul className={styles.exports} aria-label="Your exports">
          {exports.map((e) => (
            <li key={e.id} className={styles.export}>
              <div className={styles.exportFacts}>
                <span>
                  Requested {formatDateTime(e.requestedAt)}{" "}
                  <span
                    className={
                      e.status === "failed" ? "badge badge-danger" : e.status === "ready" ? "badge badge-success" : "badge"
                    }
                  >
                    {STATUS_LABELS[e.status]}
                  </span>
                </span>
                <span className="muted small">
                  {e.status === "ready" && e.byteSize !== null
                    ? `${formatBytes(e.byteSize)} · ${e.rowCount ?? 0} rows in ${e.tableCount ?? 0} tables · ${e.fileCount ?? 0} files · until ${formatDateTime(e.expiresAt!)}`
                    : e.status === "failed"
                      ? (e.error ?? "Something went wrong.")
                      : e.status === "expired"
                        ? "Deleted after its download period."
                        : "You can leave this page; we will e-mail you when it is ready."}
                </span>
              </div>
              {e.downloadUrl && (
                <a className="btn btn-secondary" href={e.downloadUrl} download>
                  Download zip
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function DeleteSection() {
  const navigate = useNavigate();
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(trpc.account.delete.mutationOptions());

  return (
    <section className={`card stack ${styles.danger}`} aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete your account</h2>
      <p>
        Everything you keep in Inkwell is deleted: your writing, chats, knowledge, voice, brand kit, posts, uploaded files,
        credits and payment records, and the campaigns you own (a campaign another owner shares with you passes to them). Stories
        you wrote in other families' campaigns stay with those families, signed “{FORMER_MEMBER}”. Export your data first if you
        want a copy. A paid plan ends at once, with no further charges. This cannot be undone.
      </p>
      <form
        className="stack"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!password) {
            setFieldError("Enter your password.");
            return;
          }
          setFieldError(undefined);
          setConfirming(true);
        }}
      >
        <TextField
          label="Your password"
          type="password"
          autoComplete="current-password"
          hint="Asked again so that nobody else at this device can delete your account."
          name="password"
          value={password}
          error={fieldError}
          onChange={(event) => setPassword(event.target.value)}
          onBlur={() => undefined}
          inputRef={() => undefined}
        />
        <div className="form-actions">
          <Button type="submit" variant="danger">
            Delete my account
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Delete your account for good?"
        description="You are signed out everywhere at once, and your account and everything it holds are deleted within a minute. This cannot be undone."
        confirmLabel="Delete my account"
        pendingLabel="Deleting…"
        onConfirm={async () => {
          await remove.mutateAsync({ password });
          signedOut("signed-out");
          void navigate("/sign-in", { replace: true });
        }}
      />
    </section>
  );
}
