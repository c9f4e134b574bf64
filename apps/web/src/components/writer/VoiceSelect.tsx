/** Which voice profile a generation writes in: the default (if the user has one), another, or none. */
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Link } from "react-router";
import { trpc } from "../../lib/api.ts";

export function VoiceSelect({ value, onChange }: { value: string; onChange: (profileId: string) => void }) {
  const id = useId();
  const profiles = useQuery(trpc.voice.list.queryOptions());
  const list = profiles.data ?? [];
  const fallback = list.find((p) => p.isDefault);
  return (
    <div className="field">
      <label htmlFor={`${id}-voice`}>Voice</label>
      <select
        id={`${id}-voice`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={profiles.isPending}
        aria-describedby={`${id}-voice-hint`}
      >
        <option value="">{fallback ? `Default (${fallback.name})` : "No voice profile"}</option>
        {list.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.status !== "ready" ? " (not analysed yet)" : ""}
          </option>
        ))}
      </select>
      <p className="hint" id={`${id}-voice-hint`}>
        {list.length === 0 && !profiles.isPending ? (
          <>
            Train one from your writing on the <Link to="/voice">voice page</Link>.
          </>
        ) : (
          "Its tuning and banned phrases apply to every format."
        )}
      </p>
    </div>
  );
}
