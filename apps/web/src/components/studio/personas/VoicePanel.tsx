/**
 * The persona's voice: one of the text-to-speech service's voices, the three ElevenLabs settings as
 * sliders, and a spoken preview (saved first, so what plays is what is stored) with a player. When the
 * local sandbox speaks, the page says the audio is a placeholder hum rather than a voice.
 */
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Link } from "react-router";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import s from "./personas.module.css";

export interface VoiceSettings {
  stability: number;
  similarityBoost: number;
  style: number;
}

const SLIDERS: { key: keyof VoiceSettings; label: string; hint: string }[] = [
  { key: "stability", label: "Stability", hint: "Lower is more expressive, higher more even." },
  { key: "similarityBoost", label: "Similarity boost", hint: "How closely to keep to the original voice." },
  { key: "style", label: "Style", hint: "Exaggerates the voice's style; 0 is neutral." },
];

export function SandboxVoiceLabel() {
  return (
    <p className="offline-label small" data-role="tts-sandbox-label">
      <span className="offline-badge">Sandbox voice</span> The local text-to-speech stand-in answers with a placeholder hum, not
      speech. Save an ElevenLabs key in <Link to="/settings">Settings → API keys</Link> to hear real voices.
    </p>
  );
}

export function VoiceSelect({ value, onChange }: { value: string | null; onChange: (voiceId: string | null) => void }) {
  const id = useId();
  const voices = useQuery(trpc.studio.personas.voices.queryOptions(undefined, { staleTime: 5 * 60_000 }));
  const list = voices.data?.voices ?? [];
  const known = !value || list.some((v) => v.voiceId === value);
  return (
    <div className="field">
      <label htmlFor={id}>Voice</label>
      <select id={id} value={value ?? ""} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{voices.isPending ? "Loading voices…" : "No voice"}</option>
        {!known && value && <option value={value}>{value}</option>}
        {list.map((v) => (
          <option key={v.voiceId} value={v.voiceId}>
            {v.name}
            {v.description ? ` — ${v.description}` : ""}
          </option>
        ))}
      </select>
      {voices.isError && (
        <p className="field-error" role="alert">
          {describeError(voices.error).message}
        </p>
      )}
      {voices.data?.sandbox && <SandboxVoiceLabel />}
    </div>
  );
}

export function VoiceSliders({ value, onChange }: { value: VoiceSettings; onChange: (v: VoiceSettings) => void }) {
  const id = useId();
  return (
    <fieldset className="stack">
      <legend>Voice settings</legend>
      {SLIDERS.map(({ key, label, hint }) => (
        <div key={key} className={s.slider}>
          <label htmlFor={`${id}-${key}`}>{label}</label>
          <output htmlFor={`${id}-${key}`} className={s.value}>
            {value[key].toFixed(2)}
          </output>
          <input
            id={`${id}-${key}`}
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={value[key]}
            aria-describedby={`${id}-${key}-hint`}
            onChange={(e) => onChange({ ...value, [key]: Number(e.target.value) })}
          />
          <span id={`${id}-${key}-hint`} className="small muted">
            {hint}
          </span>
        </div>
      ))}
    </fieldset>
  );
}

/** The spoken result, playable (and kept in the asset library). */
export function SpokenPlayer({ url, sandbox, truncated }: { url: string; sandbox: boolean; truncated?: boolean }) {
  return (
    <div className="stack">
      {/* biome-ignore lint/a11y/useMediaCaption: synthesized speech of a text shown on the page; there is no caption track to give */}
      <audio className={s.player} controls src={url} data-role="voice-audio" />
      {sandbox && <SandboxVoiceLabel />}
      {truncated && <p className="small muted">Only the first part was read (the service takes up to 5,000 characters).</p>}
      <p className="small muted">Saved to your assets as a voice recording.</p>
    </div>
  );
}
