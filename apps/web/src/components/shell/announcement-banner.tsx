/**
 * The site's announcements (and the maintenance message while one is set), under the header on every
 * page, for visitors too. Each can be dismissed; the dismissal is remembered in this browser by the
 * announcement's id (a changed maintenance message has a new id, so it shows again).
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../lib/api.ts";
import s from "./announcement-banner.module.css";

const STORAGE_KEY = "inkwell.dismissedAnnouncements";
/** Enough to cover every announcement still live; the oldest dismissals fall off. */
const REMEMBER = 50;

function readDismissed(): string[] {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function AnnouncementBanner() {
  const announcements = useQuery({ ...trpc.system.announcements.queryOptions(), staleTime: 60_000 });
  const [dismissed, setDismissed] = useState<string[]>(readDismissed);
  const shown = (announcements.data ?? []).filter((a) => !dismissed.includes(a.id));
  if (shown.length === 0) return null;

  const dismiss = (id: string) => {
    const next = [...dismissed.filter((d) => d !== id), id].slice(-REMEMBER);
    setDismissed(next);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Private mode or a full store: it stays dismissed for this page's life only.
    }
  };

  return (
    <section className={s.banner} aria-label="Announcements">
      <ul className={s.list}>
        {shown.map((a) => (
          <li key={a.id} className={a.kind === "maintenance" ? `${s.item} ${s.maintenance}` : s.item}>
            <p className={s.text}>
              <strong>{a.title}</strong> <span>{a.message}</span>
            </p>
            <button type="button" className={`btn btn-ghost btn-small ${s.dismiss}`} onClick={() => dismiss(a.id)}>
              Dismiss<span className="visually-hidden">: {a.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
