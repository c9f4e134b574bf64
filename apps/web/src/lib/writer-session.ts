/**
 * A writer session in the web: its cache entry and following its outputs as they stream.
 *
 * Outputs are written in the background; `writer.sessions.get` shows each with status 'streaming' and
 * its text so far in `draft` until it settles. While any is streaming the page opens the
 * `writer.sessions.stream` subscription (server-sent events of whole-text snapshots per output, so a
 * dropped or new connection needs no position) and writes each snapshot into the cached session. When
 * every output has settled the session is fetched again (versions, counts and messages come from the
 * server).
 */
import { graphemeLength, truncateGraphemes } from "@inkwell/domain/platform/text";
import { DEFAULT_SESSION_TITLE, type WriterStreamEvent } from "@inkwell/domain/writer/schemas";
import type { QueryClient } from "@tanstack/react-query";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type Outputs, trpc, trpcClient } from "./api.ts";
import { refreshCredits } from "./credits.ts";

export type SessionView = Outputs["writer"]["sessions"]["get"];
export type WriterOutput = SessionView["outputs"][number];
export type WriterVersion = NonNullable<WriterOutput["current"]>;

/**
 * What to call a session: the name of its project when it is pinned as one, its title once it has one,
 * and until then its concept (the words the user typed), never the placeholder "New draft".
 */
export function sessionName(s: { title: string; concept: string; projectName?: string | null }, max = 60): string {
  if (s.projectName?.trim()) return s.projectName;
  if (s.title !== DEFAULT_SESSION_TITLE || !s.concept.trim()) return s.title;
  // `max` user-perceived characters, "…" included: an emoji is never cut in half.
  return truncateGraphemes(s.concept.replace(/\s+/g, " ").trim(), max, graphemeLength);
}

export const sessionKey = (sessionId: string) => trpc.writer.sessions.get.queryKey({ sessionId });

/** The subscription's data: a tracked event arrives as `{ id, data }`. */
export function unwrapSnapshot(value: unknown): WriterStreamEvent | null {
  const v = value as (Partial<WriterStreamEvent> & { data?: unknown }) | null;
  if (!v || typeof v !== "object") return null;
  if (typeof v.outputId === "string" && typeof v.content === "string" && typeof v.status === "string") {
    return v as WriterStreamEvent;
  }
  if (v.data && typeof v.data === "object") return unwrapSnapshot(v.data);
  return null;
}

/** What an output shows now: the streamed draft while it is written, else its current version's text. */
export function shownText(output: Pick<WriterOutput, "status" | "draft" | "current">): string {
  return output.status === "streaming" ? output.draft : (output.current?.content ?? "");
}

/** One snapshot applied to an output (pure, for the cache and for tests). */
export function withSnapshot(output: WriterOutput, snap: WriterStreamEvent): WriterOutput {
  if (output.id !== snap.outputId) return output;
  if (snap.status === "streaming") return { ...output, status: "streaming", draft: snap.content };
  if (snap.status === "failed") return { ...output, status: "failed", draft: "", error: snap.error };
  // Settled: the stored version, as far as the snapshot tells it (the refetch that follows fills in the rest).
  if (!snap.versionId) return { ...output, status: "ready", draft: "", error: null };
  const previous = output.current;
  const isNew = previous?.id !== snap.versionId;
  const current: WriterVersion = {
    id: snap.versionId,
    outputId: output.id,
    number: previous ? previous.number + (isNew ? 1 : 0) : 1,
    content: snap.content,
    parts: snap.parts,
    source: isNew ? (previous ? "iteration" : "generated") : (previous?.source ?? "generated"),
    instruction: isNew ? null : (previous?.instruction ?? null),
    charCount: [...snap.content].length,
    createdAt: isNew
      ? (new Date().toISOString() as WriterVersion["createdAt"])
      : (previous?.createdAt as WriterVersion["createdAt"]),
  };
  return {
    ...output,
    status: "ready",
    draft: "",
    error: null,
    current,
    versionCount: output.versionCount + (isNew ? 1 : 0),
  };
}

export function applySnapshot(qc: QueryClient, sessionId: string, snap: WriterStreamEvent) {
  qc.setQueryData(sessionKey(sessionId), (old) =>
    old ? { ...old, outputs: old.outputs.map((o) => withSnapshot(o, snap)) } : old,
  );
}

export const isSettled = (outputs: readonly Pick<WriterOutput, "status">[]) => outputs.every((o) => o.status !== "streaming");

/** Identifies one round of streaming (a new revision opens a new subscription). */
export function streamingKey(outputs: readonly Pick<WriterOutput, "id" | "status" | "versionCount">[]): string | null {
  const streaming = outputs.filter((o) => o.status === "streaming");
  return streaming.length ? streaming.map((o) => `${o.id}:${o.versionCount}`).join(",") : null;
}

/** Follows the session's outputs while any is streaming. */
export function useSessionStream(sessionId: string, key: string | null) {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!key) return;
    let done = false;
    const settle = () => {
      if (done) return;
      done = true;
      setProblem(null);
      void qc.invalidateQueries({ queryKey: sessionKey(sessionId) });
      void qc.invalidateQueries(trpc.writer.sessions.list.pathFilter());
      void refreshCredits(qc);
      // The title is written in the background after the first round.
      setTimeout(() => {
        void qc.invalidateQueries({ queryKey: sessionKey(sessionId) });
        void qc.invalidateQueries(trpc.writer.sessions.list.pathFilter());
      }, 2500);
    };
    const sub = trpcClient.writer.sessions.stream.subscribe(
      { sessionId },
      {
        onData(value) {
          if (done) return;
          const snap = unwrapSnapshot(value);
          if (!snap) return;
          applySnapshot(qc, sessionId, snap);
          const view = qc.getQueryData(sessionKey(sessionId));
          if (view && isSettled(view.outputs)) {
            settle();
            sub.unsubscribe();
          }
        },
        onComplete: settle,
        onError(error) {
          if (done) return;
          setProblem(error.message || "The connection was lost.");
        },
        onConnectionStateChange(change) {
          if (done) return;
          if (change.state === "connecting" && change.error) setProblem("Reconnecting…");
          else if (change.state === "pending") setProblem(null);
        },
      },
    );
    return () => {
      done = true;
      sub.unsubscribe();
    };
  }, [sessionId, key, qc]);

  return { problem };
}
