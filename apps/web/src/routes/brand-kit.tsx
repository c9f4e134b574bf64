import { saveBrandInput } from "@inkwell/domain/brand/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError, Status } from "../components/Alert.tsx";
import { BrandPreview } from "../components/brand/BrandPreview.tsx";
import styles from "../components/brand/brand.module.css";
import { ColorField } from "../components/brand/ColorField.tsx";
import { type BrandKit, LogoUpload } from "../components/brand/LogoUpload.tsx";
import { VoicePromptField } from "../components/brand/VoicePromptField.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { useForm, type Values, zodValidator } from "../lib/form.ts";

type Field = "brandName" | "tagline" | "primaryColor" | "secondaryColor" | "accentColor" | "voicePrompt";
const COLORS = [
  { name: "primaryColor", label: "Primary colour" },
  { name: "secondaryColor", label: "Secondary colour" },
  { name: "accentColor", label: "Accent colour" },
] as const;

// Every field is sent: blank clears it. The logo has its own controls.
const toInput = (v: Values<Field>) => ({ ...v });
const validate = zodValidator<Field>(saveBrandInput, toInput);
const valuesOf = (kit: BrandKit): Values<Field> => ({
  brandName: kit.brandName ?? "",
  tagline: kit.tagline ?? "",
  primaryColor: kit.primaryColor ?? "",
  secondaryColor: kit.secondaryColor ?? "",
  accentColor: kit.accentColor ?? "",
  voicePrompt: kit.voicePrompt ?? "",
});

export function BrandKitPage() {
  const kit = useQuery(trpc.brand.get.queryOptions());
  return (
    <div className="page page-wide">
      <title>Brand kit · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Brand kit</h1>
        <p className="muted">Your brand's name, look and voice. The writer applies it to everything it generates.</p>
      </header>
      {kit.isPending ? (
        <p className="muted" role="status">
          Loading your brand kit…
        </p>
      ) : kit.isError ? (
        <div role="alert" className="alert alert-error">
          {describeError(kit.error).message}{" "}
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void kit.refetch()}>
            Try again
          </button>
        </div>
      ) : (
        // Mounted once: a logo upload refreshes the query without resetting unsaved edits here.
        <BrandKitEditor kit={kit.data} />
      )}
    </div>
  );
}

function BrandKitEditor({ kit }: { kit: BrandKit }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const form = useForm<Field>({ initial: valuesOf(kit), validate });
  const save = useMutation(
    trpc.brand.save.mutationOptions({
      onSuccess: (next) => {
        queryClient.setQueryData(trpc.brand.get.queryKey(), next);
        form.reset(valuesOf(next));
        setStatus("Brand kit saved. New generations will use it.");
      },
      onError: (error) => form.fail(error),
    }),
  );

  return (
    <div className={styles.layout}>
      <div className="stack">
        <form
          className="card stack"
          noValidate
          aria-label="Brand details"
          onSubmit={form.submit((v) => {
            if (save.isPending) return;
            setStatus(null);
            save.mutate(toInput(v));
          })}
        >
          <FormError problem={form.formError} />
          <div className="field-row">
            <TextField label="Brand name" optional maxLength={100} autoComplete="organization" {...form.field("brandName")} />
            <TextField label="Tagline" optional maxLength={200} {...form.field("tagline")} />
          </div>
          <fieldset className={styles.colors}>
            <legend>Colours</legend>
            <div className={styles.colorGrid}>
              {COLORS.map((c) => (
                <ColorField key={c.name} label={c.label} onPick={(hex) => form.setValue(c.name, hex)} {...form.field(c.name)} />
              ))}
            </div>
          </fieldset>
          <VoicePromptField {...form.field("voicePrompt")} />
          <div className="form-actions">
            <SubmitButton pending={save.isPending} pendingLabel="Saving…">
              Save brand kit
            </SubmitButton>
            <Status>{status}</Status>
          </div>
        </form>
        <LogoUpload kit={kit} />
      </div>
      <BrandPreview
        brandName={form.values.brandName}
        tagline={form.values.tagline}
        logoUrl={kit.logo?.url ?? null}
        colors={COLORS.map((c) => ({ label: c.label.replace(" colour", ""), hex: form.values[c.name] }))}
      />
    </div>
  );
}
