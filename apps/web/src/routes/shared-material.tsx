/**
 * A material shared publicly (/s/:token): read-only, no account needed, following the owner's edits.
 * An expired or turned-off link says so.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { TYPE_LABEL } from "../components/study/library/labels.ts";
import { SharedContent } from "../components/study/share/SharedContent.tsx";
import s from "../components/study/share/share.module.css";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDate } from "../lib/format.ts";

export function SharedMaterialPage() {
  const { token = "" } = useParams();
  // Opening counts a view: fetched once, never again on focus.
  const view = useQuery({
    ...trpc.study.sharing.viewMaterial.queryOptions({ token }),
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const item = view.data?.item;
  return (
    <main id="main" className={s.public}>
      <title>{item ? `${item.title} · Shared · Inkwell` : "Shared material · Inkwell"}</title>
      {view.isPending && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      )}
      {view.isError && (
        <>
          <h1>Shared material</h1>
          <FormError problem={describeError(view.error)} />
        </>
      )}
      {item && view.data && (
        <>
          <p className="muted">
            Shared with you · {TYPE_LABEL[item.itemType]}
            {item.topic ? ` · ${item.topic}` : ""}
            {view.data.expiresAt ? ` · available until ${formatDate(view.data.expiresAt)}` : ""}
          </p>
          <h1>{item.title}</h1>
          {item.isPlaceholder && (
            <p>
              <span className={s.placeholder} title="Made by the offline placeholder AI, not a real model">
                Placeholder AI
              </span>
            </p>
          )}
          <SharedContent item={item} />
          <p className="small">
            Read-only. <Link to="/sign-up">Make your own study materials on Inkwell</Link>.
          </p>
        </>
      )}
    </main>
  );
}
