import { API_KEY_SERVICES, saveApiKeyInput } from "@inkwell/domain/identity/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { useForm, type Values, zodValidator } from "../../lib/form.ts";
import { formatDate } from "../../lib/format.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button, SubmitButton } from "../SubmitButton.tsx";
import { TextField } from "../TextField.tsx";
import styles from "./settings.module.css";

type Service = (typeof API_KEY_SERVICES)[number];
/** The "openai" row is the AI model connection, edited in its own section (AiModelSection). */
const SERVICES = API_KEY_SERVICES.filter((s) => s !== "openai");
type ApiKey = Outputs["apiKeys"]["list"][number];
type StatusLine = { tone: "success" | "error"; text: string } | null;

export const SERVICE_NAMES: Record<Service, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  elevenlabs: "ElevenLabs",
  higgsfield: "Higgsfield",
  wavespeed: "WaveSpeed",
};

type Field = "service" | "key" | "label";
const toInput = (v: Values<Field>) => ({
  service: v.service as Service,
  key: v.key,
  ...(v.label.trim() ? { label: v.label } : {}),
});

export function ApiKeysSection() {
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [status, setStatus] = useState<StatusLine>(null);
  return (
    <section className="card">
      <h2>Third-party API keys</h2>
      <p className="muted">Connect your own provider accounts for the AI features. One key per service.</p>
      {keys.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading keys…
        </p>
      ) : keys.isError ? (
        <p className="status status-error" role="alert">
          {describeError(keys.error).message}
        </p>
      ) : keys.data.every((k) => k.service === "openai") ? (
        <p className="empty">No keys saved yet.</p>
      ) : (
        <ul className="list">
          {keys.data
            .filter((k) => k.service !== "openai")
            .map((k) => (
              <KeyRow key={k.id} apiKey={k} onDone={setStatus} />
            ))}
        </ul>
      )}
      <Status tone={status?.tone}>{status?.text}</Status>
      <SaveKeyForm existing={keys.data ?? []} onDone={setStatus} />
    </section>
  );
}

function KeyRow({ apiKey, onDone }: { apiKey: ApiKey; onDone: (s: StatusLine) => void }) {
  const queryClient = useQueryClient();
  const name = SERVICE_NAMES[apiKey.service];
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const remove = useMutation(
    trpc.apiKeys.delete.mutationOptions({
      onSuccess: () => {
        onDone({ tone: "success", text: `${name} key deleted.` });
        void queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter());
        // An ElevenLabs or image API key changes what costs this user nothing (the cost labels).
        void queryClient.invalidateQueries(trpc.usage.ownKeyOperations.queryFilter());
      },
      onError: (error) => onDone({ tone: "error", text: describeError(error).message }),
    }),
  );
  return (
    <li className="list-row">
      <div className="list-main">
        <p className="list-title">
          {name}
          {apiKey.label && <span className="muted"> · {apiKey.label}</span>}
        </p>
        <p className="muted small">
          <span className="mono" aria-hidden="true">
            ••••{apiKey.last4}
          </span>
          <span className="visually-hidden">Key ending in {apiKey.last4}</span> · Updated {formatDate(apiKey.updatedAt)}
        </p>
      </div>
      {confirming ? (
        <div className="row-actions">
          <Button
            ref={confirmRef}
            variant="danger"
            className="btn-small"
            pending={remove.isPending}
            pendingLabel="Deleting…"
            onClick={() => remove.mutate({ id: apiKey.id })}
          >
            Confirm delete<span className="visually-hidden"> {name} key</span>
          </Button>
          <Button variant="ghost" className="btn-small" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button variant="secondary" className="btn-small" onClick={() => setConfirming(true)}>
          Delete<span className="visually-hidden"> {name} key</span>
        </Button>
      )}
    </li>
  );
}

function SaveKeyForm({ existing, onDone }: { existing: ApiKey[]; onDone: (s: StatusLine) => void }) {
  const queryClient = useQueryClient();
  const serviceId = useId();
  const form = useForm<Field>({
    initial: { service: "elevenlabs", key: "", label: "" },
    validate: zodValidator(saveApiKeyInput, toInput),
  });
  const service = form.values.service as Service;
  const current = existing.find((k) => k.service === service);
  const save = useMutation(
    trpc.apiKeys.save.mutationOptions({
      onSuccess: (saved) => {
        form.reset({ service: saved.service, key: "", label: "" });
        onDone({ tone: "success", text: `${SERVICE_NAMES[saved.service]} key saved.` });
        void queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter());
        // An ElevenLabs or image API key changes what costs this user nothing (the cost labels).
        void queryClient.invalidateQueries(trpc.usage.ownKeyOperations.queryFilter());
      },
      onError: (error) => form.fail(error),
    }),
  );
  const serviceField = form.field("service");

  return (
    <form
      className={`${styles.subform} stack`}
      noValidate
      aria-labelledby={`${serviceId}-title`}
      onSubmit={form.submit((v) => !save.isPending && save.mutate(toInput(v)))}
    >
      <h3 id={`${serviceId}-title`}>Add or replace a key</h3>
      <FormError problem={form.formError} />
      <div className="field-row">
        <div className="field">
          <label htmlFor={serviceId}>Service</label>
          <select
            id={serviceId}
            name="service"
            value={serviceField.value}
            onChange={serviceField.onChange}
            ref={serviceField.inputRef}
            aria-describedby={current ? `${serviceId}-hint` : undefined}
          >
            {SERVICES.map((s) => (
              <option key={s} value={s}>
                {SERVICE_NAMES[s]}
              </option>
            ))}
          </select>
          {current && (
            <p className="hint" id={`${serviceId}-hint`}>
              Saving replaces your {SERVICE_NAMES[service]} key ending in {current.last4}.
            </p>
          )}
        </div>
        <TextField label="Label" optional maxLength={80} placeholder="e.g. Personal" {...form.field("label")} />
      </div>
      <TextField
        label="API key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        hint="Stored encrypted. Only the last four characters are shown again."
        {...form.field("key")}
      />
      <div className="form-actions">
        <SubmitButton pending={save.isPending} pendingLabel="Saving…">
          {current ? "Replace key" : "Save key"}
        </SubmitButton>
      </div>
    </form>
  );
}
