/**
 * What the bug-report and feedback forms share: sending (`useSend`: the mutation, its field errors, the
 * thank-you line, the user's list refreshed), the frame (heading, form-level error, the submit button, the
 * sent status), text fields whose errors are announced with them, and a row of radio segments.
 */
import { type UseMutationOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { type ApiProblem, describeError } from "../../lib/errors.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import { TextField } from "../TextField.tsx";

/**
 * Sends a form through `options` (a tRPC mutation's options): on success `onSent` clears what should not
 * be sent twice, `thanks` is shown and the user's list of reports and feedback is refetched.
 */
export function useSend<TData, TError, TInput, TContext>(
  options: UseMutationOptions<TData, TError, TInput, TContext>,
  { fields, thanks, onSent }: { fields: readonly string[]; thanks: string; onSent: () => void },
) {
  const qc = useQueryClient();
  const [sent, setSent] = useState<string | null>(null);
  const mutation = useMutation({
    ...options,
    onSuccess: () => {
      onSent();
      setSent(thanks);
      void qc.invalidateQueries({ queryKey: trpc.feedback.mine.queryKey() });
    },
    onError: () => setSent(null),
  });
  const problem = mutation.isError ? describeError(mutation.error, fields) : null;
  return {
    /** The frame's props. */
    frame: { pending: mutation.isPending, problem, sent },
    send(input: TInput) {
      setSent(null);
      mutation.mutate(input);
    },
    fieldError: (field: string) => problem?.fieldErrors[field],
  };
}

export function FeedbackFormFrame({
  title,
  submitLabel,
  pending,
  disabled,
  problem,
  sent,
  onSubmit,
  children,
}: {
  title: string;
  submitLabel: string;
  pending: boolean;
  /** Shown but refused (e.g. an unverified account): the button stays focusable and says why elsewhere. */
  disabled: boolean;
  problem: ApiProblem | null;
  /** The thank-you line after a send. */
  sent: string | null;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <form
      className="card stack"
      aria-labelledby={`${id}-heading`}
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (pending || disabled) return;
        onSubmit();
      }}
    >
      <h2 id={`${id}-heading`}>{title}</h2>
      <FormError problem={problem?.message ? problem : null} />
      {children}
      <div className="form-actions">
        <Button type="submit" pending={pending} pendingLabel="Sending…" aria-disabled={disabled || undefined}>
          {submitLabel}
        </Button>
      </div>
      <Status>{sent}</Status>
    </form>
  );
}

/** A labelled textarea, its error announced with it (TextField's counterpart: that one is an input). */
export function TextAreaField({
  label,
  error,
  value,
  maxLength,
  onChange,
}: {
  label: string;
  error: string | undefined;
  value: string;
  maxLength: number;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field" data-invalid={error ? "" : undefined}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={5}
        value={value}
        maxLength={maxLength}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}

/** A plain text input through TextField (which is made for useForm: these forms keep their own state). */
export function InputField({
  name,
  label,
  optional,
  hint,
  error,
  value,
  maxLength,
  onChange,
}: {
  name: string;
  label: string;
  optional?: boolean;
  hint?: string;
  error: string | undefined;
  value: string;
  maxLength: number;
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      label={label}
      optional={optional}
      hint={hint}
      name={name}
      value={value}
      maxLength={maxLength}
      error={error}
      onChange={(e) => onChange(e.target.value)}
      onBlur={() => undefined}
      inputRef={() => undefined}
    />
  );
}

/** "What should we call you?": both forms start with it. */
export function NameField(props: { value: string; onChange: (value: string) => void; error: string | undefined }) {
  return <InputField name="preferredName" label="What should we call you?" maxLength={100} {...props} />;
}

/** One choice of several as a row of segments (radio buttons under a legend). */
export function Segments<T extends string | number>({
  legend,
  optional,
  options,
  value,
  onChange,
}: {
  legend: string;
  optional?: boolean;
  options: readonly { value: T; label: ReactNode }[];
  value: T | null;
  onChange: (value: T) => void;
}) {
  const name = useId();
  return (
    <fieldset className="field">
      <legend>
        {legend}
        {optional && <span className="optional"> (optional)</span>}
      </legend>
      <div className="segmented">
        {options.map((o) => (
          <label key={o.value} className="segment">
            <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
