/**
 * Says that generated text came from the offline placeholder AI (this server has no model configured
 * and the user has not connected their own), with one click to the settings section that connects one.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { trpc } from "../lib/api.ts";

/** True while this user's generations come from the offline provider. */
export function useOfflineAi(): boolean {
  const info = useQuery({ ...trpc.system.info.queryOptions(), staleTime: Number.POSITIVE_INFINITY }).data;
  const offline = info?.ai.offline === true;
  // The user's own connection (the "openai" key row) replaces the offline provider for their calls.
  const keys = useQuery({ ...trpc.apiKeys.list.queryOptions(), enabled: offline }).data;
  return offline && keys !== undefined && !keys.some((k) => k.service === "openai");
}

export function OfflineLabel({ className }: { className?: string }) {
  if (!useOfflineAi()) return null;
  return (
    <p className={`offline-label small${className ? ` ${className}` : ""}`} data-role="offline-label">
      <span className="offline-badge">Offline placeholder AI</span> <Link to="/settings#ai-model">Connect a model</Link>
    </p>
  );
}
