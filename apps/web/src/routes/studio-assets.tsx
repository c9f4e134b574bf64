/**
 * Studio → Assets (/studio/assets): the media library. Drop or choose files to upload (progress per
 * file); filter by kind, tag, favourites and persona, search file names (the filters live in the
 * address, so a filtered view can be bookmarked); select several to tag, favourite or delete them at
 * once. Newest first, 48 at a time.
 */
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { Button } from "../components/SubmitButton.tsx";
import { type Asset, AssetCard } from "../components/studio/assets/AssetCard.tsx";
import { AssetUpload } from "../components/studio/assets/AssetUpload.tsx";
import s from "../components/studio/assets/assets.module.css";
import { ConfirmDialog } from "../components/ui/confirm-dialog.tsx";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { useDebouncedValue } from "../components/ui/searchable-list.tsx";
import { trpc, trpcClient } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

const KINDS = [
  ["image", "Images"],
  ["audio", "Audio"],
  ["video", "Video"],
  ["document", "Documents"],
] as const;
type Kind = (typeof KINDS)[number][0];
const PAGE_SIZE = 48;
const MAX_BULK = 100;

type BulkAction = "tag" | "untag" | "favorite" | "unfavorite" | "delete";

export function StudioAssetsPage() {
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const kind = KINDS.find(([k]) => k === params.get("kind"))?.[0] as Kind | undefined;
  const tag = params.get("tag") ?? undefined;
  const favorite = params.get("favorite") === "1" ? true : undefined;
  const personaId = params.get("persona") ?? undefined;
  const [searchText, setSearchText] = useState(params.get("q") ?? "");
  const search = useDebouncedValue(searchText.trim());
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  // The search box writes to the address once typing pauses.
  useEffect(() => {
    if ((params.get("q") ?? "") !== search) set("q", search || null);
  }, [search]);

  const filter = {
    limit: PAGE_SIZE,
    ...(kind ? { kind } : {}),
    ...(tag ? { tag } : {}),
    ...(favorite ? { favorite } : {}),
    ...(personaId ? { personaId } : {}),
    ...(search ? { search } : {}),
  };
  const list = useInfiniteQuery(
    trpc.studio.assets.list.infiniteQueryOptions(filter, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
    }),
  );
  const personas = useQuery(trpc.studio.personas.list.queryOptions());
  const assets: Asset[] = list.data?.pages.flatMap((p) => p.assets) ?? [];

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkTag, setBulkTag] = useState("");
  const [bulkPending, setBulkPending] = useState(false);
  const [bulkProblem, setBulkProblem] = useState<string | null>(null);
  const [bulkNote, setBulkNote] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // A selection only holds assets still shown.
  const shown = new Set(assets.map((a) => a.id));
  const chosen = [...selected].filter((id) => shown.has(id));
  // The server takes at most MAX_BULK ids; more are refused here rather than cut short silently.
  const tooMany = chosen.length > MAX_BULK;
  const toggle = (id: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const runBulk = async (action: BulkAction) => {
    setBulkProblem(null);
    setBulkNote(null);
    if (tooMany) return;
    if ((action === "tag" || action === "untag") && !bulkTag.trim()) {
      setBulkProblem("Type the tag first.");
      return;
    }
    setBulkPending(true);
    try {
      const { affected } = await trpcClient.studio.assets.bulk.mutate({
        assetIds: chosen,
        action,
        ...(action === "tag" || action === "untag" ? { tag: bulkTag.trim() } : {}),
      });
      setBulkNote(`${affected} ${affected === 1 ? "asset" : "assets"} updated.`);
      if (action === "delete") setSelected(new Set());
      await qc.invalidateQueries(trpc.studio.assets.list.pathFilter());
    } catch (error) {
      setBulkProblem(describeError(error).message);
      if (action === "delete") throw error;
    } finally {
      setBulkPending(false);
    }
  };

  const filtered = Boolean(kind || tag || favorite || personaId || search);
  return (
    <div className="page page-wide">
      <title>Assets · Studio · Inkwell</title>
      <PageHeader
        title="Assets"
        lead="Your images, recordings, videos and documents for the studio. Tag them, star favourites and group them by persona."
      />
      <AssetUpload personaId={personaId} />

      <search className={s.filters}>
        <label>
          Search
          <input
            type="text"
            inputMode="search"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            placeholder="File name"
          />
        </label>
        <label>
          Kind
          <select value={kind ?? ""} onChange={(e) => set("kind", e.target.value || null)}>
            <option value="">All</option>
            {KINDS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <input
            type="text"
            key={tag ?? ""}
            defaultValue={tag ?? ""}
            placeholder="Any"
            maxLength={40}
            onBlur={(e) => set("tag", e.target.value.trim().toLowerCase() || null)}
            onKeyDown={(e) => {
              if (e.key === "Enter") set("tag", e.currentTarget.value.trim().toLowerCase() || null);
            }}
            aria-label="Filter by tag"
          />
        </label>
        <label>
          Persona
          <select value={personaId ?? ""} onChange={(e) => set("persona", e.target.value || null)}>
            <option value="">All</option>
            {(personas.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className={s.check}>
          <input type="checkbox" checked={Boolean(favorite)} onChange={(e) => set("favorite", e.target.checked ? "1" : null)} />{" "}
          Favourites only
        </label>
        {filtered && (
          <Button
            variant="ghost"
            onClick={() => {
              setSearchText("");
              setParams(new URLSearchParams(), { replace: true });
            }}
          >
            Clear filters
          </Button>
        )}
      </search>

      {chosen.length > 0 && (
        <section className={s.bulkBar} aria-label="Selected assets">
          <strong>{chosen.length} selected</strong>
          <input
            type="text"
            value={bulkTag}
            onChange={(e) => setBulkTag(e.target.value)}
            placeholder="Tag"
            maxLength={40}
            aria-label="Tag for the selected assets"
          />
          <Button variant="secondary" pending={bulkPending} aria-disabled={tooMany || undefined} onClick={() => runBulk("tag")}>
            Add tag
          </Button>
          <Button variant="secondary" pending={bulkPending} aria-disabled={tooMany || undefined} onClick={() => runBulk("untag")}>
            Remove tag
          </Button>
          <Button
            variant="secondary"
            pending={bulkPending}
            aria-disabled={tooMany || undefined}
            onClick={() => runBulk("favorite")}
          >
            Favourite
          </Button>
          <Button
            variant="secondary"
            pending={bulkPending}
            aria-disabled={tooMany || undefined}
            onClick={() => runBulk("unfavorite")}
          >
            Unfavourite
          </Button>
          <Button variant="danger" aria-disabled={tooMany || undefined} onClick={() => !tooMany && setConfirmDelete(true)}>
            Delete
          </Button>
          <Button variant="ghost" onClick={() => setSelected(new Set())}>
            Clear selection
          </Button>
          {tooMany && (
            <span role="alert" className={s.error}>
              At most {MAX_BULK} assets at once: {chosen.length} are selected. Unselect some first.
            </span>
          )}
          {bulkNote && <span role="status">{bulkNote}</span>}
          {bulkProblem && (
            <span role="alert" className={s.error}>
              {bulkProblem}
            </span>
          )}
        </section>
      )}
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete ${chosen.length} ${chosen.length === 1 ? "asset" : "assets"}?`}
        description="Their files are deleted from your library and storage. This cannot be undone."
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        onConfirm={() => runBulk("delete")}
      />

      {list.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading your assets…
        </p>
      ) : list.isError ? (
        <div role="alert" className="alert alert-error">
          {describeError(list.error).message}
        </div>
      ) : assets.length === 0 ? (
        <EmptyState>
          {filtered ? "No assets match these filters." : "No assets yet. Drop files above to add your first."}
        </EmptyState>
      ) : (
        <>
          <p className={s.selectAll}>
            <label>
              <input
                type="checkbox"
                checked={chosen.length > 0 && chosen.length === assets.length}
                onChange={(e) => setSelected(e.target.checked ? new Set(assets.slice(0, MAX_BULK).map((a) => a.id)) : new Set())}
              />{" "}
              Select all shown
            </label>
          </p>
          <ul className={s.grid} aria-label="Assets, newest first">
            {assets.map((asset) => (
              <AssetCard
                key={asset.id}
                asset={asset}
                selected={selected.has(asset.id)}
                onSelect={(on) => toggle(asset.id, on)}
                onTagClick={(t) => set("tag", t)}
              />
            ))}
          </ul>
          {list.hasNextPage && (
            <p className={s.more}>
              <Button variant="secondary" pending={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>
                Load more
              </Button>
            </p>
          )}
        </>
      )}
    </div>
  );
}
