/**
 * Studio → Personas (/studio/personas): your AI model personas as cards (name, active, voice,
 * reference images), and a form for a new one, which opens on its own page to be given images and a voice.
 */
import { useQuery } from "@tanstack/react-query";
import { CreatePersonaForm } from "../components/studio/personas/CreatePersonaForm.tsx";
import { PersonaCard } from "../components/studio/personas/PersonaCard.tsx";
import s from "../components/studio/personas/personas.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StudioPersonasPage() {
  const list = useQuery(trpc.studio.personas.list.queryOptions());
  return (
    <div className="page page-wide">
      <title>Personas · Studio · Inkwell</title>
      <PageHeader
        title="Personas"
        lead="Your AI model personas: who they are, the reference images that show them, and the voice they speak in."
      />
      <div className={s.layout}>
        <section aria-labelledby="personas-list-heading" className="stack">
          <h2 id="personas-list-heading">Your personas</h2>
          {list.isPending ? (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Loading your personas…
            </p>
          ) : list.isError ? (
            <div role="alert" className="alert alert-error">
              {describeError(list.error).message}
            </div>
          ) : list.data.length === 0 ? (
            <EmptyState>No personas yet. Create your first one below.</EmptyState>
          ) : (
            <ul className={s.grid} aria-label="Personas, newest first">
              {list.data.map((p) => (
                <PersonaCard key={p.id} persona={p} />
              ))}
            </ul>
          )}
        </section>
        <CreatePersonaForm />
      </div>
    </div>
  );
}
