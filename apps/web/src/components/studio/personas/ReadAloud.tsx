/**
 * "Read aloud" beside a writer output: pick one of your personas that has a voice and hear the output
 * in it (metered as voice.speak; the audio is kept as a voice asset of the persona). Opens in place.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link } from "react-router";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { CostLabel } from "../../CostLabel.tsx";
import { Button } from "../../SubmitButton.tsx";
import s from "./personas.module.css";
import { SpokenPlayer } from "./VoicePanel.tsx";

export function ReadAloud({ writerOutputId, label }: { writerOutputId: string; label: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" className="btn-small" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Read aloud<span className="visually-hidden"> the {label}</span>
      </Button>
      {open && <ReadAloudPanel writerOutputId={writerOutputId} />}
    </>
  );
}

function ReadAloudPanel({ writerOutputId }: { writerOutputId: string }) {
  const id = useId();
  const qc = useQueryClient();
  const personas = useQuery(trpc.studio.personas.list.queryOptions());
  const voiced = (personas.data ?? []).filter((p) => p.voiceId);
  const [personaId, setPersonaId] = useState<string>("");
  const chosen = personaId || voiced[0]?.id || "";
  const read = useMutation(
    trpc.studio.personas.readAloud.mutationOptions({
      onSettled: () => void qc.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() }),
    }),
  );
  if (personas.isPending) return null;
  if (voiced.length === 0) {
    return (
      <p className="small muted" style={{ flexBasis: "100%" }}>
        No persona has a voice yet. <Link to="/studio/personas">Give a persona a voice</Link> to hear your text read aloud.
      </p>
    );
  }
  return (
    <div className="stack" style={{ flexBasis: "100%" }} data-role="read-aloud">
      <div className={s.row}>
        <label htmlFor={id}>Voice of</label>
        <select id={id} value={chosen} onChange={(e) => setPersonaId(e.target.value)}>
          {voiced.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <Button
          className="btn-small"
          pending={read.isPending}
          pendingLabel="Reading…"
          onClick={() => !read.isPending && chosen && read.mutate({ personaId: chosen, writerOutputId })}
        >
          Read
        </Button>
        <CostLabel operation="voice.speak" className="small muted" />
      </div>
      <FormError problem={read.isError ? describeError(read.error) : null} />
      {read.data && <SpokenPlayer url={read.data.url} sandbox={read.data.sandbox} truncated={read.data.truncated} />}
    </div>
  );
}
