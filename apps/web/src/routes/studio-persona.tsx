/**
 * Studio → a persona (/studio/personas/:personaId): name, description and active toggle, reference
 * images picked from the asset library, a voice from the text-to-speech service with its three
 * settings, and "Preview voice" (saves first, then speaks; the audio plays here and is kept as a voice
 * asset). Images deleted from the library drop out of the persona by themselves.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { FormError, Status } from "../components/Alert.tsx";
import { CostLabel } from "../components/CostLabel.tsx";
import { Button } from "../components/SubmitButton.tsx";
import type { Persona } from "../components/studio/personas/PersonaCard.tsx";
import s from "../components/studio/personas/personas.module.css";
import { ReferencePicker } from "../components/studio/personas/ReferencePicker.tsx";
import { SpokenPlayer, VoiceSelect, type VoiceSettings, VoiceSliders } from "../components/studio/personas/VoicePanel.tsx";
import { ConfirmDialog } from "../components/ui/confirm-dialog.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StudioPersonaPage() {
  const { personaId = "" } = useParams();
  const persona = useQuery(trpc.studio.personas.get.queryOptions({ personaId }));
  if (persona.isPending) {
    return (
      <div className="page">
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the persona…
        </p>
      </div>
    );
  }
  if (persona.isError) {
    return (
      <div className="page">
        <div role="alert" className="alert alert-error">
          {describeError(persona.error).message}
        </div>
        <p>
          <Link to="/studio/personas">Back to personas</Link>
        </p>
      </div>
    );
  }
  // Keyed by the persona only: a save refetches it, and the form (and a preview playing) must stay as it is.
  return <PersonaEditor key={persona.data.id} persona={persona.data} />;
}

type Spoken = Outputs["studio"]["personas"]["previewVoice"];

function PersonaEditor({ persona }: { persona: Persona }) {
  const id = useId();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState(persona.name);
  const [description, setDescription] = useState(persona.description);
  const [isActive, setIsActive] = useState(persona.isActive);
  const [voiceId, setVoiceId] = useState<string | null>(persona.voiceId);
  const [settings, setSettings] = useState<VoiceSettings>(persona.voiceSettings);
  const [references, setReferences] = useState<string[]>(persona.referenceAssetIds);
  const [previewText, setPreviewText] = useState("");
  const [spoken, setSpoken] = useState<Spoken | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.studio.personas.list.queryKey() });
    void qc.invalidateQueries({ queryKey: trpc.studio.personas.get.queryKey({ personaId: persona.id }) });
  };
  const values = {
    personaId: persona.id,
    name,
    description,
    isActive,
    voiceId,
    voiceSettings: settings,
    referenceAssetIds: references,
  };
  const save = useMutation(trpc.studio.personas.update.mutationOptions());
  const preview = useMutation(trpc.studio.personas.previewVoice.mutationOptions());
  const remove = useMutation(trpc.studio.personas.delete.mutationOptions());

  const onSave = async () => {
    setStatus(null);
    await save.mutateAsync(values);
    setStatus("Saved.");
    refresh();
  };
  const onPreview = async () => {
    setStatus(null);
    setSpoken(null);
    try {
      // What plays is what is saved: the server speaks the stored voice and settings.
      await save.mutateAsync(values);
      refresh();
      const result = await preview.mutateAsync({
        personaId: persona.id,
        ...(previewText.trim() ? { text: previewText.trim() } : {}),
      });
      setSpoken(result);
      void qc.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() });
    } catch {
      // Shown by the mutations' own error states.
    }
  };

  const problem = save.isError ? describeError(save.error) : preview.isError ? describeError(preview.error) : null;
  return (
    <div className="page page-wide">
      <title>{`${persona.name} · Personas · Inkwell`}</title>
      <PageHeader
        title={persona.name}
        lead={<Link to="/studio/personas">All personas</Link>}
        actions={
          <Button variant="danger" onClick={() => setConfirmDelete(true)}>
            Delete persona
          </Button>
        }
      />
      <form
        className={`${s.layout} ${s.editor}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (!save.isPending) void onSave().catch(() => undefined);
        }}
      >
        <div className="stack">
          <section className="card stack" aria-labelledby={`${id}-about`}>
            <h2 id={`${id}-about`}>About</h2>
            <div className="field">
              <label htmlFor={`${id}-name`}>Name</label>
              <input
                type="text"
                id={`${id}-name`}
                required
                maxLength={80}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-description`}>Description</label>
              <textarea
                className="textarea"
                id={`${id}-description`}
                rows={4}
                maxLength={2000}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
              />
            </div>
            <label className="check">
              <input type="checkbox" checked={isActive} onChange={(e) => setIsActive(e.target.checked)} /> Active
            </label>
          </section>
          <section className="card stack" aria-labelledby={`${id}-refs`}>
            <h2 id={`${id}-refs`}>Reference images</h2>
            <p className="small muted">The photos that show this persona. {references.length} chosen.</p>
            <ReferencePicker selected={references} onChange={setReferences} />
          </section>
        </div>
        <section className="card stack" aria-labelledby={`${id}-voice`}>
          <h2 id={`${id}-voice`}>Voice</h2>
          <VoiceSelect value={voiceId} onChange={setVoiceId} />
          <VoiceSliders value={settings} onChange={setSettings} />
          <div className="field">
            <label htmlFor={`${id}-preview-text`}>Preview text (optional)</label>
            <input
              type="text"
              id={`${id}-preview-text`}
              maxLength={500}
              placeholder={`Hi, I'm ${name || persona.name}. This is what my voice sounds like.`}
              value={previewText}
              onChange={(e) => setPreviewText(e.target.value)}
            />
          </div>
          <div className={s.row}>
            <Button
              variant="secondary"
              pending={preview.isPending}
              pendingLabel="Speaking…"
              aria-disabled={!voiceId || undefined}
              aria-describedby={`${id}-cost`}
              onClick={() => {
                if (!voiceId) setStatus("Choose a voice first.");
                else if (!preview.isPending) void onPreview();
              }}
            >
              Preview voice
            </Button>
            <span id={`${id}-cost`} className="small muted">
              <CostLabel operation="voice.speak" /> Free on your own ElevenLabs key.
            </span>
          </div>
          {spoken && <SpokenPlayer url={spoken.url} sandbox={spoken.sandbox} truncated={spoken.truncated} />}
        </section>
        <div className="form-actions">
          <FormError problem={problem} />
          <Status>{status}</Status>
          <Button type="submit" pending={save.isPending} pendingLabel="Saving…">
            Save persona
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete ${persona.name}?`}
        description="The persona goes for good. Its images and recordings stay in your assets, no longer grouped under it."
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        tone="danger"
        onConfirm={async () => {
          await remove.mutateAsync({ personaId: persona.id });
          void qc.invalidateQueries({ queryKey: trpc.studio.personas.list.queryKey() });
          void navigate("/studio/personas");
        }}
      />
    </div>
  );
}
