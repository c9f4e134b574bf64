/**
 * Studio → Prompts (/studio/prompts): pick one of your images (from the asset library), optionally a
 * persona, and ask for five labelled image prompts (vision + structured output, metered as
 * `image.describe`). The cards below are your prompts — for the picked image, or all of them — each
 * editable inline ("edited" afterwards), copyable, deletable, and one click from Generations. What the
 * offline placeholder AI made is labelled on every card.
 */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { FormError, Status } from "../components/Alert.tsx";
import { CostLabel } from "../components/CostLabel.tsx";
import { LoadMore } from "../components/LoadMore.tsx";
import { OfflineLabel } from "../components/OfflineLabel.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { ImagePicker, PersonaSelect } from "../components/studio/prompts/ImagePicker.tsx";
import { ManualPromptForm } from "../components/studio/prompts/ManualPromptForm.tsx";
import { PromptCard } from "../components/studio/prompts/PromptCard.tsx";
import s from "../components/studio/prompts/prompts.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

const PAGE_SIZE = 30;

export function StudioPromptsPage() {
  const qc = useQueryClient();
  const costId = useId();
  const [assetId, setAssetId] = useState<string | null>(null);
  const [personaId, setPersonaId] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const filter = assetId ? { sourceAssetId: assetId } : {};
  const list = useInfiniteQuery(
    trpc.studio.prompts.list.infiniteQueryOptions(
      { ...filter, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const suggest = useMutation(
    trpc.studio.prompts.fromImage.mutationOptions({
      onSuccess: (run) => {
        setStatus(
          run.placeholder
            ? "Five placeholder prompts were made from the image's size (no vision model is connected)."
            : "Five new prompts are at the top of the list.",
        );
        void qc.invalidateQueries({ queryKey: trpc.studio.prompts.list.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() });
      },
      onError: () => setStatus(null),
    }),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="page page-wide">
      <title>Prompts · Studio · Inkwell</title>
      <PageHeader
        title="Image prompts"
        lead="Pick a photo and get five prompt variations for an image generator, steered by a persona if you like. Edit them, copy them, or generate an image."
      />
      <div className={s.layout}>
        <section className="card stack" aria-labelledby="prompts-source-heading">
          <h2 id="prompts-source-heading">From a photo</h2>
          <OfflineLabel />
          <ImagePicker selected={assetId} onSelect={setAssetId} />
          <div className={s.controls}>
            <PersonaSelect value={personaId} onChange={setPersonaId} />
            <Button
              pending={suggest.isPending}
              pendingLabel="Looking at the photo…"
              aria-disabled={!assetId || undefined}
              aria-describedby={costId}
              onClick={() => {
                if (!assetId) {
                  setStatus("Pick an image first.");
                  return;
                }
                setStatus(null);
                suggest.mutate({ assetId, personaId, idempotencyKey: crypto.randomUUID() });
              }}
            >
              Suggest five prompts
            </Button>
            <CostLabel operation="image.describe" id={costId} />
          </div>
          <FormError problem={suggest.isError ? describeError(suggest.error) : null} />
          <Status tone="info">{status}</Status>
        </section>

        <ManualPromptForm personaId={personaId} sourceAssetId={assetId} />

        <section aria-labelledby="prompts-list-heading" className="stack">
          <h2 id="prompts-list-heading">{assetId ? "Prompts from this image" : "Your prompts"}</h2>
          {list.isPending ? (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Loading your prompts…
            </p>
          ) : list.isError ? (
            <div role="alert" className="alert alert-error">
              {describeError(list.error).message}
            </div>
          ) : items.length === 0 ? (
            <EmptyState>
              {assetId ? "No prompts from this image yet. Suggest five above." : "No prompts yet. Pick a photo above to start."}
            </EmptyState>
          ) : (
            <>
              <ul className={s.cards} aria-label="Prompts, newest first">
                {items.map((p) => (
                  <PromptCard key={`${p.id}:${p.updatedAt}`} prompt={p} />
                ))}
              </ul>
              <LoadMore
                shown={items.length}
                noun={["prompt", "prompts"]}
                hasMore={list.hasNextPage}
                loading={list.isFetchingNextPage}
                onLoad={() => void list.fetchNextPage()}
              />
            </>
          )}
        </section>
      </div>
    </div>
  );
}
