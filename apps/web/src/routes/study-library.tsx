/**
 * Study → Library (/study): the user's folders (filter, create, rename, delete) beside their items
 * (quizzes, flashcard sets, study guides, writing prompts) with type badges, filtered by type and
 * folder, newest first, paged. "New" generates an item from a topic or from the user's documents and
 * notes, or starts one by hand. Items made by the offline placeholder AI say so on their card.
 */
import type { StudyItemType } from "@inkwell/domain/study/schemas";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { LoadMore } from "../components/LoadMore.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { TYPE_LABEL, TYPE_ORDER } from "../components/study/library/labels.ts";
import s from "../components/study/library/library.module.css";
import { NewItemDialog } from "../components/study/library/NewItemDialog.tsx";
import { ConfirmDialog } from "../components/ui/confirm-dialog.tsx";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

const PAGE_SIZE = 30;
/** "all" shows every item; "none" the ones in no folder. */
type FolderFilter = "all" | "none" | string;

export function StudyLibraryPage() {
  const qc = useQueryClient();
  const [folder, setFolder] = useState<FolderFilter>("all");
  const [itemType, setItemType] = useState<StudyItemType | "">("");
  const [creating, setCreating] = useState(false);
  const [newFolder, setNewFolder] = useState("");
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);

  const folders = useQuery(trpc.study.library.folders.list.queryOptions());
  const filter = {
    ...(itemType ? { itemType } : {}),
    ...(folder === "none" ? { folderId: null } : folder !== "all" ? { folderId: folder } : {}),
  };
  const list = useInfiniteQuery(
    trpc.study.library.items.list.infiniteQueryOptions(
      { ...filter, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.study.library.folders.list.queryKey() });
    void qc.invalidateQueries({ queryKey: trpc.study.library.items.list.pathKey() });
  };
  const createFolder = useMutation(
    trpc.study.library.folders.create.mutationOptions({
      onSuccess: () => {
        setNewFolder("");
        refresh();
      },
    }),
  );
  const renameFolder = useMutation(
    trpc.study.library.folders.rename.mutationOptions({
      onSuccess: () => {
        setRenaming(null);
        refresh();
      },
    }),
  );
  const deleteFolder = useMutation(trpc.study.library.folders.delete.mutationOptions({ onSuccess: refresh }));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const folderName = new Map((folders.data ?? []).map((f) => [f.id, f.name]));
  const currentFolder = folder !== "all" && folder !== "none" ? folder : null;

  return (
    <div className="page page-wide">
      <title>Library · Study · Inkwell</title>
      <PageHeader
        title="Study library"
        lead="Quizzes, flashcards, study guides and writing prompts: generated from a topic or your own documents and notes, or written by you."
        actions={<Button onClick={() => setCreating(true)}>New</Button>}
      />
      <NewItemDialog open={creating} onOpenChange={setCreating} folderId={currentFolder} />
      <div className={s.layout}>
        <section className={`card ${s.folders}`} aria-labelledby="folders-heading">
          <h2 id="folders-heading">Folders</h2>
          <ul className={s.folderList}>
            {(
              [
                ["all", "All items"],
                ["none", "Not in a folder"],
              ] as const
            ).map(([value, label]) => (
              <li key={value} className={s.folderRow}>
                <button
                  type="button"
                  className={`btn btn-ghost ${s.folderButton}`}
                  aria-pressed={folder === value}
                  onClick={() => setFolder(value)}
                >
                  {label}
                </button>
              </li>
            ))}
            {folders.data?.map((f) => (
              <li key={f.id} className={s.folderRow}>
                {renaming?.id === f.id ? (
                  <form
                    className={s.folderRow}
                    onSubmit={(e) => {
                      e.preventDefault();
                      renameFolder.mutate({ folderId: f.id, name: renaming.name });
                    }}
                  >
                    <input
                      aria-label={`New name for ${f.name}`}
                      value={renaming.name}
                      maxLength={80}
                      onChange={(e) => setRenaming({ id: f.id, name: e.target.value })}
                    />
                    <Button type="submit" variant="secondary" pending={renameFolder.isPending}>
                      Save
                    </Button>
                  </form>
                ) : (
                  <>
                    <button
                      type="button"
                      className={`btn btn-ghost ${s.folderButton}`}
                      aria-pressed={folder === f.id}
                      onClick={() => setFolder(f.id)}
                    >
                      {f.name} <span className="small">({f.itemCount})</span>
                    </button>
                    <Button
                      variant="ghost"
                      aria-label={`Rename ${f.name}`}
                      onClick={() => setRenaming({ id: f.id, name: f.name })}
                    >
                      ✎
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Delete ${f.name}`}
                      onClick={() => setDeleting({ id: f.id, name: f.name })}
                    >
                      ×
                    </Button>
                  </>
                )}
              </li>
            ))}
          </ul>
          <FormError problem={renameFolder.isError ? describeError(renameFolder.error) : null} />
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              if (newFolder.trim()) createFolder.mutate({ name: newFolder });
            }}
          >
            <label className={s.field}>
              New folder
              <input value={newFolder} onChange={(e) => setNewFolder(e.target.value)} maxLength={80} />
            </label>
            <Button type="submit" variant="secondary" pending={createFolder.isPending}>
              Add folder
            </Button>
            <FormError problem={createFolder.isError ? describeError(createFolder.error) : null} />
          </form>
        </section>

        <section className="stack" aria-labelledby="items-heading">
          <h2 id="items-heading">
            {folder === "all" ? "All items" : folder === "none" ? "Not in a folder" : (folderName.get(folder) ?? "Folder")}
          </h2>
          <div className={s.filters}>
            <label>
              Type
              <select value={itemType} onChange={(e) => setItemType(e.target.value as StudyItemType | "")}>
                <option value="">All types</option>
                {TYPE_ORDER.map((t) => (
                  <option key={t} value={t}>
                    {TYPE_LABEL[t]}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {list.isPending ? (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Loading your library…
            </p>
          ) : list.isError ? (
            <div role="alert" className="alert alert-error">
              {describeError(list.error).message}
            </div>
          ) : items.length === 0 ? (
            <EmptyState>Nothing here yet. Choose New to generate or write a study item.</EmptyState>
          ) : (
            <>
              <ul className={s.items} aria-label="Study items, newest first">
                {items.map((item) => (
                  <li key={item.id} className={s.card}>
                    <h3>
                      <Link to={`/study/items/${item.id}`}>{item.title}</Link>
                    </h3>
                    <p className={s.meta}>
                      <span className={s.badge}>{TYPE_LABEL[item.itemType]}</span>
                      {item.isPlaceholder && <span className={s.placeholder}>Placeholder AI</span>}
                      {item.folderId && folderName.get(item.folderId) && <span>in {folderName.get(item.folderId)}</span>}
                    </p>
                    {item.topic && <p className={s.meta}>{item.topic}</p>}
                  </li>
                ))}
              </ul>
              <LoadMore
                shown={items.length}
                noun={["item", "items"]}
                hasMore={list.hasNextPage}
                loading={list.isFetchingNextPage}
                onLoad={() => void list.fetchNextPage()}
              />
            </>
          )}
        </section>
      </div>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete the folder “${deleting?.name ?? ""}”?`}
        description="Its items stay in your library, in no folder."
        confirmLabel="Delete folder"
        onConfirm={async () => {
          if (!deleting) return;
          await deleteFolder.mutateAsync({ folderId: deleting.id });
          if (folder === deleting.id) setFolder("all");
        }}
      />
    </div>
  );
}
