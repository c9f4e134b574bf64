import { updateProfileInput } from "@inkwell/domain/identity/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { FormError, Status } from "../components/Alert.tsx";
import { Avatar } from "../components/Avatar.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { type Me, meQuery, trpc } from "../lib/api.ts";
import { useForm, type Values, zodValidator } from "../lib/form.ts";
import { formatDate } from "../lib/format.ts";
import { readPreferences, THEMES, type Theme } from "../lib/preferences.ts";
import styles from "./profile.module.css";

type Field = "displayName" | "avatarUrl";
const toInput = (v: Values<Field>) => ({
  displayName: v.displayName.trim() === "" ? null : v.displayName,
  avatarUrl: v.avatarUrl.trim() === "" ? null : v.avatarUrl.trim(),
});
const validate = zodValidator<Field>(updateProfileInput, toInput);

const THEME_LABELS: Record<Theme, string> = { system: "Match my device", light: "Light", dark: "Dark" };

export function ProfilePage() {
  const me = useQuery(meQuery()).data;
  if (!me) return null; // RequireAuth has already redirected
  return (
    <div className="page">
      <title>Profile · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Profile</h1>
        <p className="muted">How you appear in Inkwell, and how Inkwell looks to you.</p>
      </header>
      <ProfileForm key={me.id} me={me} />
      <AccountFacts me={me} />
    </div>
  );
}

function ProfileForm({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const saved = readPreferences(me.preferences);
  const [theme, setTheme] = useState<Theme>(saved.theme);
  const [weeklyDigest, setWeeklyDigest] = useState(saved.weeklyDigest);
  const [status, setStatus] = useState<string | null>(null);
  const [previewFailed, setPreviewFailed] = useState(false);
  const themeHint = useId();
  const digestHint = useId();
  const form = useForm<Field>({ initial: { displayName: me.displayName ?? "", avatarUrl: me.avatarUrl ?? "" }, validate });

  const update = useMutation(
    trpc.profile.update.mutationOptions({
      onSuccess: (updated) => {
        queryClient.setQueryData(trpc.auth.me.queryKey(), updated);
        setStatus("Profile saved.");
      },
      onError: (error) => form.fail(error),
    }),
  );

  const previewUrl = validate(form.values).avatarUrl ? null : toInput(form.values).avatarUrl;

  return (
    <form
      className="card stack"
      noValidate
      onSubmit={form.submit((v) => {
        if (update.isPending) return;
        setStatus(null);
        // Preferences are replaced as a whole: keep the keys this page does not edit.
        update.mutate({ ...toInput(v), preferences: { ...me.preferences, theme, weeklyDigest } });
      })}
    >
      <FormError problem={form.formError} />
      <TextField
        label="Display name"
        autoComplete="nickname"
        maxLength={80}
        hint="Shown in the header and, later, on what you publish."
        {...form.field("displayName")}
      />
      <div className={styles.avatarRow}>
        <div className={styles.avatarPreview}>
          <Avatar
            key={previewUrl ?? "none"}
            url={previewUrl}
            name={form.values.displayName || me.displayName}
            email={me.email}
            size={72}
            onLoadError={() => setPreviewFailed(true)}
          />
          <span className="muted small">Preview</span>
        </div>
        <TextField
          label="Avatar URL"
          type="url"
          inputMode="url"
          autoComplete="photo"
          placeholder="https://…"
          hint={
            previewUrl && previewFailed
              ? "We couldn't load an image from this address; check that it points to a picture."
              : "A link to a square picture (http or https). Leave empty to use your initials."
          }
          {...form.field("avatarUrl")}
          onChange={(event) => {
            setPreviewFailed(false);
            form.field("avatarUrl").onChange(event);
          }}
        />
      </div>

      <fieldset className={styles.choices} aria-describedby={themeHint}>
        <legend>Theme</legend>
        <p className="hint" id={themeHint}>
          Applies on every device you sign in on.
        </p>
        <div className="segmented">
          {THEMES.map((value) => (
            <label key={value} className="segment">
              <input type="radio" name="theme" value={value} checked={theme === value} onChange={() => setTheme(value)} />
              <span>{THEME_LABELS[value]}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <div className="checkbox-field">
        <input
          id={`${digestHint}-input`}
          type="checkbox"
          checked={weeklyDigest}
          onChange={(event) => setWeeklyDigest(event.target.checked)}
          aria-describedby={digestHint}
        />
        <div>
          <label htmlFor={`${digestHint}-input`}>Weekly digest</label>
          <p className="hint" id={digestHint}>
            A Monday e-mail with what you wrote and studied last week.
          </p>
        </div>
      </div>

      <div className="form-actions">
        <SubmitButton pending={update.isPending} pendingLabel="Saving…">
          Save profile
        </SubmitButton>
        <Status>{status}</Status>
      </div>
    </form>
  );
}

function AccountFacts({ me }: { me: Me }) {
  return (
    <section className="card" aria-labelledby="account-facts">
      <h2 id="account-facts">Account</h2>
      <dl className={styles.facts}>
        <div>
          <dt>E-mail</dt>
          <dd>
            {me.email}{" "}
            {me.emailVerified ? (
              <span className="badge badge-success">Confirmed</span>
            ) : (
              <span className="badge badge-warning">Not confirmed</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Plan</dt>
          <dd className="capitalize">{me.subscriptionTier}</dd>
        </div>
        <div>
          <dt>Member since</dt>
          <dd>{formatDate(me.createdAt)}</dd>
        </div>
      </dl>
    </section>
  );
}
