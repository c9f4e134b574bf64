/**
 * Sharing an item from its page: a quiz as a link anyone can take without an account (`/q/<token>`), any
 * item with a person by e-mail (they are notified; re-sharing only if allowed), or publicly read-only by
 * link (`/s/<token>`). Links expire (1 day, 7 days, 30 days or never) and can be turned off. A link's
 * token is never stored, so the full link is shown once, right after it is made, to copy; the lists show
 * each link's access count and state.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Dialog } from "radix-ui";
import { type FormEvent, useId, useState } from "react";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { formatDate } from "../../../lib/format.ts";
import { FormError, Status } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";
import { EXPIRY_OPTIONS, type Expiry, STATUS_LABEL } from "./labels.ts";
import s from "./share.module.css";

export interface ShareableItem {
  id: string;
  title: string;
  itemType: "quiz" | "flashcard" | "study_guide" | "writing_prompt";
}

/** The "Share" button an item page places among its actions; it opens the dialog. */
export function ShareButton({ item }: { item: ShareableItem }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Share
      </Button>
      <ShareDialog item={item} open={open} onOpenChange={setOpen} />
    </>
  );
}

function ExpirySelect({
  value,
  onChange,
  label = "Expires after",
}: {
  value: Expiry;
  onChange: (v: Expiry) => void;
  label?: string;
}) {
  return (
    <label className={s.field}>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value as Expiry)}>
        {EXPIRY_OPTIONS.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A link just made: the only time its full address exists. */
function NewLink({ path, label }: { path: string; label: string }) {
  const id = useId();
  const url = `${window.location.origin}${path}`;
  const [copied, setCopied] = useState(false);
  return (
    <div className={s.link}>
      <label htmlFor={id}>{label}</label>
      <input id={id} readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="new-share-link" />
      <div className={s.row}>
        <Button
          variant="secondary"
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(url).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          Copy link
        </Button>
        <span className={s.meta}>Copy it now: for your safety the full link is shown only this once.</span>
      </div>
      <Status tone="success">{copied ? "Link copied." : null}</Status>
    </div>
  );
}

const expiryText = (expiresAt: string | Date | null) => (expiresAt ? `until ${formatDate(expiresAt)}` : "no expiry");

export function ShareDialog({
  item,
  open,
  onOpenChange,
}: {
  item: ShareableItem;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const qc = useQueryClient();
  const isQuiz = item.itemType === "quiz";
  // Counts change while the dialog is closed (people open the links): fresh each time it opens.
  const quizLinks = useQuery({
    ...trpc.study.sharing.quizLinks.queryOptions({ itemId: item.id }),
    enabled: open && isQuiz,
    staleTime: 0,
  });
  const shares = useQuery({ ...trpc.study.sharing.shares.queryOptions({ itemId: item.id }), enabled: open, staleTime: 0 });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.study.sharing.quizLinks.pathKey() });
    void qc.invalidateQueries({ queryKey: trpc.study.sharing.shares.pathKey() });
  };

  const [quizExpiry, setQuizExpiry] = useState<Expiry>("7d");
  const shareQuiz = useMutation(trpc.study.sharing.shareQuiz.mutationOptions({ onSuccess: refresh }));
  const revokeQuiz = useMutation(trpc.study.sharing.revokeQuizLink.mutationOptions({ onSuccess: refresh }));

  const [email, setEmail] = useState("");
  const [allowResharing, setAllowResharing] = useState(false);
  const [personExpiry, setPersonExpiry] = useState<Expiry>("never");
  const shareWithUser = useMutation(
    trpc.study.sharing.shareWithUser.mutationOptions({
      onSuccess: () => {
        setEmail("");
        refresh();
      },
    }),
  );

  const [linkExpiry, setLinkExpiry] = useState<Expiry>("30d");
  const shareByLink = useMutation(trpc.study.sharing.shareByLink.mutationOptions({ onSuccess: refresh }));
  const revokeShare = useMutation(trpc.study.sharing.revokeShare.mutationOptions({ onSuccess: refresh }));

  const onShareWithUser = (e: FormEvent) => {
    e.preventDefault();
    shareWithUser.mutate({ itemId: item.id, email, allowResharing, expiresIn: personExpiry });
  };
  const revokeError = revokeQuiz.error ?? revokeShare.error;

  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className={s.overlay} />
        <Dialog.Content className={s.dialog}>
          <Dialog.Title>Share “{item.title}”</Dialog.Title>
          <Dialog.Description className="small">
            Links can expire and you can turn them off at any time. People you share with are notified.
          </Dialog.Description>

          {isQuiz && (
            <section className={s.section} aria-labelledby="share-quiz-heading">
              <h3 id="share-quiz-heading">Quiz link</h3>
              <p className="small">
                Anyone with the link can take this quiz without an account. Short answers are graded at your cost.
              </p>
              <form
                className={s.row}
                onSubmit={(e) => {
                  e.preventDefault();
                  shareQuiz.mutate({ itemId: item.id, expiresIn: quizExpiry });
                }}
              >
                <ExpirySelect value={quizExpiry} onChange={setQuizExpiry} />
                <Button type="submit" pending={shareQuiz.isPending} pendingLabel="Creating…">
                  Create quiz link
                </Button>
              </form>
              <FormError problem={shareQuiz.error ? describeError(shareQuiz.error) : null} />
              {shareQuiz.data && <NewLink path={shareQuiz.data.path} label="Your quiz link" />}
              {quizLinks.data && quizLinks.data.length > 0 && (
                <ul className={s.list} aria-label="Quiz links">
                  {quizLinks.data.map((l) => (
                    <li key={l.id} data-testid="quiz-link-row">
                      <span>
                        Made {formatDate(l.createdAt)} · {STATUS_LABEL[l.status]}
                        <span className={s.meta}>
                          {" "}
                          · <span data-testid="access-count">{l.accessCount}</span> {l.accessCount === 1 ? "view" : "views"} ·{" "}
                          {l.attemptCount} {l.attemptCount === 1 ? "attempt" : "attempts"} · {expiryText(l.expiresAt)}
                        </span>
                      </span>
                      {l.status === "active" && (
                        <Button
                          variant="ghost"
                          type="button"
                          onClick={() => revokeQuiz.mutate({ sharedQuizId: l.id })}
                          aria-label={`Turn off the quiz link made ${formatDate(l.createdAt)}`}
                        >
                          Turn off
                        </Button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}

          <section className={s.section} aria-labelledby="share-person-heading">
            <h3 id="share-person-heading">Share with a person</h3>
            <form className="stack" onSubmit={onShareWithUser}>
              <div className={s.row}>
                <label className={s.field}>
                  Their e-mail
                  <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
                </label>
                <ExpirySelect value={personExpiry} onChange={setPersonExpiry} label="Access ends after" />
              </div>
              <label className={s.check}>
                <input type="checkbox" checked={allowResharing} onChange={(e) => setAllowResharing(e.target.checked)} />
                Let them share it with others
              </label>
              <div className={s.row}>
                <Button type="submit" pending={shareWithUser.isPending} pendingLabel="Sharing…">
                  Share
                </Button>
              </div>
              <FormError problem={shareWithUser.error ? describeError(shareWithUser.error) : null} />
              <Status tone="success">{shareWithUser.data ? `Shared with ${shareWithUser.data.recipientEmail}.` : null}</Status>
            </form>
          </section>

          <section className={s.section} aria-labelledby="share-public-heading">
            <h3 id="share-public-heading">Public link (read-only)</h3>
            <p className="small">
              Anyone with this link can read the {isQuiz ? "quiz with its answers" : "item"}, and sees your later edits.
            </p>
            <form
              className={s.row}
              onSubmit={(e) => {
                e.preventDefault();
                shareByLink.mutate({ itemId: item.id, expiresIn: linkExpiry });
              }}
            >
              <ExpirySelect value={linkExpiry} onChange={setLinkExpiry} />
              <Button type="submit" variant="secondary" pending={shareByLink.isPending} pendingLabel="Creating…">
                Create public link
              </Button>
            </form>
            <FormError problem={shareByLink.error ? describeError(shareByLink.error) : null} />
            {shareByLink.data && <NewLink path={shareByLink.data.path} label="Your public link" />}
          </section>

          {shares.data && shares.data.length > 0 && (
            <section className={s.section} aria-labelledby="share-list-heading">
              <h3 id="share-list-heading">Shared so far</h3>
              <ul className={s.list}>
                {shares.data.map((sh) => {
                  const who = sh.kind === "user" ? (sh.recipientEmail ?? "A person") : "Public link";
                  return (
                    <li key={sh.id}>
                      <span>
                        {who} · {STATUS_LABEL[sh.status]}
                        <span className={s.meta}>
                          {" "}
                          · {sh.kind === "link" ? `${sh.accessCount} ${sh.accessCount === 1 ? "view" : "views"} · ` : ""}
                          {sh.allowResharing ? "may re-share · " : ""}
                          {expiryText(sh.expiresAt)}
                        </span>
                      </span>
                      {sh.status === "active" && (
                        <Button
                          variant="ghost"
                          type="button"
                          onClick={() => revokeShare.mutate({ shareId: sh.id })}
                          aria-label={`Stop sharing: ${who}`}
                        >
                          Stop sharing
                        </Button>
                      )}
                    </li>
                  );
                })}
              </ul>
            </section>
          )}
          <FormError problem={revokeError ? describeError(revokeError) : null} />
          <div className={s.actions}>
            <Dialog.Close asChild>
              <Button variant="ghost" type="button">
                Done
              </Button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
