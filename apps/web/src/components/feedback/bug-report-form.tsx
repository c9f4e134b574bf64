/** Report a bug: name, severity, the error code if one was shown, what happened, and consent for browser details. */
import { BUG_SEVERITIES } from "@inkwell/domain/feedback/schemas";
import { useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { FeedbackFormFrame, InputField, NameField, Segments, TextAreaField, useSend } from "./form-parts.tsx";
import { SEVERITY_LABELS } from "./labels.ts";

const FIELDS = ["preferredName", "severity", "errorCode", "description"] as const;
const SEVERITY_OPTIONS = BUG_SEVERITIES.map((value) => ({ value, label: SEVERITY_LABELS[value] }));

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
  const [name, setName] = useState(defaultName);
  const [severity, setSeverity] = useState<(typeof BUG_SEVERITIES)[number]>("medium");
  const [errorCode, setErrorCode] = useState("");
  const [description, setDescription] = useState("");
  const [consent, setConsent] = useState(false);
  const submit = useSend(trpc.feedback.submitBugReport.mutationOptions(), {
    fields: FIELDS,
    thanks: "Thank you. Your report was sent; its status is in the list below.",
    onSent: () => {
      setDescription("");
      setErrorCode("");
    },
  });

  return (
    <FeedbackFormFrame
      title="Report a bug"
      submitLabel="Send report"
      disabled={disabled}
      {...submit.frame}
      onSubmit={() =>
        submit.send({
          preferredName: name,
          severity,
          errorCode: errorCode.trim() || undefined,
          description,
          shareBrowserInfo: consent,
          browserInfo: consent ? gatherBrowserInfo() : undefined,
        })
      }
    >
      <NameField value={name} onChange={setName} error={submit.fieldError("preferredName")} />
      <Segments legend="How bad is it?" options={SEVERITY_OPTIONS} value={severity} onChange={setSeverity} />
      <InputField
        name="errorCode"
        label="Error code"
        optional
        hint="If an error message showed a code, copy it here."
        value={errorCode}
        maxLength={100}
        onChange={setErrorCode}
        error={submit.fieldError("errorCode")}
      />
      <TextAreaField
        label="What happened?"
        value={description}
        maxLength={5000}
        onChange={setDescription}
        error={submit.fieldError("description")}
      />
      <div className="checkbox-field">
        <input id={`${id}-consent`} type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
        <label htmlFor={`${id}-consent`}>
          Include my browser's details (browser and version, screen size, language, time zone) to help us reproduce it.
        </label>
      </div>
    </FeedbackFormFrame>
  );
}
