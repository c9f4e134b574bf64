/**
 * Studio → Generations (/studio/generations): make an image from a saved prompt (?promptId=, from the
 * Prompts page) or free text, watch it go from queued to done live, then save it to the asset library
 * or use it in a post. Status changes arrive over the `studio.generations.watch` subscription (SSE);
 * each one refreshes the list, so the queue shows what the server has without polling the page.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { GenerationForm } from "../components/studio/generations/GenerationForm.tsx";
import { GenerationItem } from "../components/studio/generations/GenerationItem.tsx";
import s from "../components/studio/generations/generations.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc, trpcClient } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

/**
 * Follows the caller's generations' changes; each change refetches the list (debounced to one per frame).
 * The server ends a watch after a while (ten minutes): a new one follows at once, from the last change
 * seen, so a page left open keeps updating.
 */
function useGenerationChanges(onChange: () => void) {
  const [live, setLive] = useState(false);
  useEffect(() => {
    let pending = 0;
    let closed = false;
    let since: string | undefined;
    let sub: { unsubscribe(): void } | undefined;
    const open = () => {
      sub = trpcClient.studio.generations.watch.subscribe(since ? { since } : {}, {
        onStarted: () => setLive(true),
        onData: (event) => {
          since = event.data.updatedAt;
          if (pending) return;
          pending = requestAnimationFrame(() => {
            pending = 0;
            onChange();
          });
        },
        onError: () => setLive(false),
        onComplete: () => {
          setLive(false);
          if (!closed) open();
        },
      });
    };
    open();
    return () => {
      closed = true;
      if (pending) cancelAnimationFrame(pending);
      sub?.unsubscribe();
    };
  }, [onChange]);
  return live;
}

export function StudioGenerationsPage() {
  const [params, setParams] = useSearchParams();
  const promptId = params.get("promptId");
  const qc = useQueryClient();
  const list = useQuery(trpc.studio.generations.list.queryOptions({ limit: 30 }));
  const [refetch] = useState(() => () => void qc.invalidateQueries({ queryKey: trpc.studio.generations.list.queryKey() }));
  const live = useGenerationChanges(refetch);

  return (
    <div className="page page-wide">
      <title>Generations · Studio · Inkwell</title>
      <PageHeader
        title="Image generations"
        lead="Turn a prompt into an image. It runs in the background: follow it here, then save it to your assets or use it in a post."
      />
      <GenerationForm
        promptId={promptId}
        onClearPrompt={() => {
          const next = new URLSearchParams(params);
          next.delete("promptId");
          setParams(next, { replace: true });
        }}
      />
      <h2 className="h3">
        Queue{" "}
        <span className="muted small" data-role="live">
          {live ? "· live" : ""}
        </span>
      </h2>
      {list.isError && <p className="alert alert-error">{describeError(list.error).message}</p>}
      {list.data && list.data.items.length === 0 && (
        <EmptyState compact>No images yet. Describe one above, or pick a prompt on the Prompts page.</EmptyState>
      )}
      <ul className={s.queue} data-role="generations">
        {list.data?.items.map((g) => (
          <GenerationItem key={g.id} generation={g} />
        ))}
      </ul>
    </div>
  );
}
