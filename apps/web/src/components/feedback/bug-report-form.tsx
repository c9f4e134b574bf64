/** Report a bug: name, severity, the error code if one was shown, what happened, and consent for browser details. */
import { BUG_SEVERITIES } from "@inkwell/domain/feedback/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import { SEVERITY_LABELS } from "./labels.ts";

const FIELDS = ["preferredName", "severity", "errorCode", "description"] as const;

/** What the page can tell about this browser (the server adds the user agent), sent only with consent. */
function gatherBrowserInfo() {
  return [
    `Screen ${window.screen.width}x${window.screen.height}`,
    `window ${window.innerWidth}x${window.innerHeight}`,
    `language ${navigator.language}`,
    `time zone ${Intl.DateTimeFormat().resolvedOptions().timeZone}`,
  ].join(", ");
}

export function BugReportForm({ defaultName, disabled }: { defaultName: string; disabled: boolean }) {
  const id = useId();
  const qc = useQueryClient();
  const [name, setName] = useState(defaultName);
  const [severity, setSeverity] = useState<(typeof BUG_SEVERITIES)[number]>("medium");
  const [errorCode, setErrorCode] = useState("");
  const [description, setDescription] = useState("");
  const [consent, setConsent] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const submit = useMutation(
    trpc.feedback.submitBugReport.mutationOptions({
      onSuccess: () => {
        setDescription("");
        setErrorCode("");
        setSent("Thank you. Your report was sent; its status is in the list below.");
        void qc.invalidateQueries({ queryKey: trpc.feedback.mine.queryKey() });
      },
      onError: () => setSent(null),
    }),
  );
  const problem = submit.isError ? describeError(submit.error, FIELDS) : null;
  const err = (f: (typeof FIELDS)[number]) => problem?.fieldErrors[f];
  const described = (f: (typeof FIELDS)[number]) => (err(f) ? `${id}-${f}-error` : undefined);
  const fieldError = (f: (typeof FIELDS)[number]) =>
    err(f) ? (
      <p className="field-error" id={`${id}-${f}-error`}>
        <span aria-hidden="true">⚠ </span>
        {err(f)}
      </p>
    ) : null;

  return (
    <form
      className="card stack"
      aria-labelledby={`${id}-heading`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (submit.isPending || disabled) return;
        setSent(null);
        submit.mutate({
          preferredName: name,
          severity,
          errorCode: errorCode.trim() || undefined,
          description,
          shareBrowserInfo: consent,
          browserInfo: consent ? gatherBrowserInfo() : undefined,
        });
      }}
    >
      <h2 id={`${id}-heading`}>Report a bug</h2>
      <FormError problem={problem?.message ? problem : null} />
      <div className="field" data-invalid={err("preferredName") ? "" : undefined}>
        <label htmlFor={`${id}-name`}>What should we call you?</label>
        <input
          id={`${id}-name`}
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={err("preferredName") ? true : undefined}
          aria-describedby={described("preferredName")}
        />
        {fieldError("preferredName")}
      </div>
      <fieldset className="field">
        <legend>How bad is it?</legend>
        <div className="segmented">
          {BUG_SEVERITIES.map((s) => (
            <label key={s} className="segment">
              <input type="radio" name={`${id}-severity`} value={s} checked={severity === s} onChange={() => setSeverity(s)} />
              <span>{SEVERITY_LABELS[s]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field" data-invalid={err("errorCode") ? "" : undefined}>
        <label htmlFor={`${id}-code`}>
          Error code <span className="optional">(optional)</span>
        </label>
        <input
          id={`${id}-code`}
          value={errorCode}
          maxLength={100}
          onChange={(e) => setErrorCode(e.target.value)}
          aria-invalid={err("errorCode") ? true : undefined}
          aria-describedby={[described("errorCode"), `${id}-code-hint`].filter(Boolean).join(" ")}
        />
        {fieldError("errorCode")}
        <p className="hint" id={`${id}-code-hint`}>
          If an error message showed a code, copy it here.
        </p>
      </div>
      <div className="field" data-invalid={err("description") ? "" : undefined}>
        <label htmlFor={`${id}-description`}>What happened?</label>
        <textarea
          id={`${id}-description`}
          rows={5}
          maxLength={5000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          aria-invalid={err("description") ? true : undefined}
          aria-describedby={described("description")}
        />
        {fieldError("description")}
      </div>
      <div className="checkbox-field">
        <input id={`${id}-consent`} type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
        <label htmlFor={`${id}-consent`}>
          Include my browser's details (browser and version, screen size, language, time zone) to help us reproduce it.
        </label>
      </div>
      <div className="form-actions">
        <Button type="submit" pending={submit.isPending} pendingLabel="Sending…" aria-disabled={disabled || undefined}>
          Send report
        </Button>
      </div>
      <Status>{sent}</Status>
    </form>
  );
}
