/**
 * The user's own AI model: any OpenAI-compatible server (a local Ollama first, OpenAI, vLLM, LM Studio).
 * Once saved, the user's chat, writer and voice generations use it, at no credit cost; "Test
 * connection" makes a real short call with what is entered (or saved) and shows the model's answer.
 * The key is write-only: only its last four characters come back.
 */
import { saveApiKeyInput } from "@inkwell/domain/identity/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { useForm, type Values, zodValidator } from "../../lib/form.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button, SubmitButton } from "../SubmitButton.tsx";
import { TextField } from "../TextField.tsx";

type ApiKey = Outputs["apiKeys"]["list"][number];
type Field = "baseUrl" | "key" | "model";

export const AI_PRESETS = [
  { id: "ollama", name: "Ollama (on this computer)", baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.2" },
  { id: "openai", name: "OpenAI", baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini" },
] as const;

const toInput = (v: Values<Field>) => ({
  service: "openai" as const,
  ...(v.baseUrl.trim() ? { baseUrl: v.baseUrl.trim() } : {}),
  ...(v.key.trim() ? { key: v.key.trim() } : {}),
  ...(v.model.trim() ? { model: v.model.trim() } : {}),
});

export function AiModelSection() {
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const saved = keys.data?.find((k) => k.service === "openai");
  // Kept here, not in the form: the form remounts when a first save gives the connection an id (its key
  // below), and the message saying it was saved must outlive that.
  const [status, setStatus] = useState<SaveStatus | null>(null);
  return (
    <section className="card" id="ai-model" aria-labelledby="ai-model-title">
      <h2 id="ai-model-title">AI model</h2>
      <p className="muted">
        Connect your own model: any OpenAI-compatible server, such as Ollama running on your computer or your OpenAI account. Your
        chat, writer and voice generations then use it and cost no credits (the usual rate limits still apply). Knowledge search
        keeps the server's embedding model, so every document stays comparable. A Higgsfield key saved under Third-party API keys
        does the same for image generations.
      </p>
      {keys.isError ? (
        <p className="status status-error" role="alert">
          {describeError(keys.error).message}
        </p>
      ) : keys.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      ) : (
        <ConnectionForm key={saved?.id ?? "none"} saved={saved} status={status} setStatus={setStatus} />
      )}
    </section>
  );
}

type SaveStatus = { tone: "success" | "error"; text: string };

function ConnectionForm({
  saved,
  status,
  setStatus,
}: {
  saved: ApiKey | undefined;
  status: SaveStatus | null;
  setStatus: (status: SaveStatus | null) => void;
}) {
  const queryClient = useQueryClient();
  const id = useId();
  const form = useForm<Field>({
    initial: { baseUrl: saved?.baseUrl ?? "", key: "", model: saved?.model ?? "" },
    validate: zodValidator(saveApiKeyInput, toInput),
  });
  // The cost labels change with the connection ("0 credits — your model").
  const refresh = () =>
    void Promise.all([
      queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter()),
      queryClient.invalidateQueries(trpc.usage.ownKeyOperations.queryFilter()),
    ]);
  const save = useMutation(
    trpc.apiKeys.save.mutationOptions({
      onSuccess: () => {
        setStatus({ tone: "success", text: "Connection saved. Your generations now use this model." });
        refresh();
      },
      onError: (error) => form.fail(error),
    }),
  );
  const remove = useMutation(
    trpc.apiKeys.delete.mutationOptions({
      onSuccess: () => {
        setStatus({ tone: "success", text: "Disconnected. Your generations use the server's model again." });
        refresh();
      },
      onError: (error) => setStatus({ tone: "error", text: describeError(error).message }),
    }),
  );
  const test = useMutation(trpc.apiKeys.testConnection.mutationOptions());
  const runTest = () => {
    const { service: _, ...settings } = toInput(form.values);
    test.mutate(settings);
  };

  return (
    <form
      className="stack"
      noValidate
      aria-labelledby={`${id}-title`}
      onSubmit={form.submit((v) => !save.isPending && save.mutate(toInput(v)))}
    >
      <h3 id={`${id}-title`} className="visually-hidden">
        Connection settings
      </h3>
      {saved && (
        <p className="muted small" data-role="ai-connection">
          Connected to <span className="mono">{saved.baseUrl ?? "https://api.openai.com/v1"}</span>
          {saved.model && (
            <>
              {" "}
              · model <span className="mono">{saved.model}</span>
            </>
          )}
          {saved.last4 && (
            <>
              {" "}
              · key{" "}
              <span className="mono" aria-hidden="true">
                ••••{saved.last4}
              </span>
              <span className="visually-hidden">ending in {saved.last4}</span>
            </>
          )}
        </p>
      )}
      <fieldset className="row-actions">
        <legend className="visually-hidden">Presets</legend>
        {AI_PRESETS.map((p) => (
          <Button
            key={p.id}
            variant="secondary"
            className="btn-small"
            onClick={() => {
              form.setValue("baseUrl", p.baseUrl);
              form.setValue("model", p.model);
            }}
          >
            {p.name}
          </Button>
        ))}
      </fieldset>
      <FormError problem={form.formError} />
      <TextField
        label="Server address"
        type="url"
        spellCheck={false}
        placeholder="http://127.0.0.1:11434/v1"
        hint="Where the API starts, usually ending in /v1. Empty means OpenAI."
        optional
        {...form.field("baseUrl")}
      />
      <TextField
        label="API key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        optional
        hint={
          saved
            ? "Leave empty to keep the saved key. Stored encrypted; only the last four characters are shown again."
            : "Not needed for Ollama. Stored encrypted; only the last four characters are shown again."
        }
        {...form.field("key")}
      />
      <TextField label="Model" spellCheck={false} placeholder="llama3.2" optional {...form.field("model")} />
      <div className="form-actions">
        <SubmitButton pending={save.isPending} pendingLabel="Saving…">
          {saved ? "Save changes" : "Connect"}
        </SubmitButton>
        <Button variant="secondary" pending={test.isPending} pendingLabel="Testing…" onClick={runTest}>
          Test connection
        </Button>
        {saved && (
          <Button
            variant="ghost"
            pending={remove.isPending}
            pendingLabel="Disconnecting…"
            onClick={() => remove.mutate({ id: saved.id })}
          >
            Disconnect
          </Button>
        )}
      </div>
      <div aria-live="polite" data-role="ai-test-result">
        {test.isSuccess && (
          <p className="status status-success">
            {test.data.model} answered in {test.data.latencyMs} ms: “{test.data.answer}”
          </p>
        )}
        {test.isError && <p className="status status-error">{describeError(test.error).message}</p>}
      </div>
      <Status tone={status?.tone}>{status?.text}</Status>
    </form>
  );
}
