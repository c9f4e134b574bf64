import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime, timeAgo } from "../lib/format.ts";
import { Status } from "./Alert.tsx";

type Notification = Outputs["notifications"]["list"][number];

const listInput = { unreadOnly: false };
/** Refreshed every minute while the tab is visible (credit alerts arrive after spending). */
export const notificationsQuery = () => trpc.notifications.list.queryOptions(listInput, { refetchInterval: 60_000 });

/** The header's bell: an unread count and a small panel to read and dismiss notifications. */
export function NotificationsBell() {
  const notifications = useQuery(notificationsQuery());
  const unread = notifications.data?.filter((n) => !n.readAt).length ?? 0;
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const { pathname } = useLocation();

  // Following a link in the panel (or any navigation) closes it.
  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    // Tabbing out of the panel closes it (focus moving to nothing — a removed button — does not).
    const onFocusOut = (event: FocusEvent) => {
      const next = event.relatedTarget as Node | null;
      if (next && !root.current?.contains(next)) setOpen(false);
    };
    const element = root.current;
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    element?.addEventListener("focusout", onFocusOut);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
      element?.removeEventListener("focusout", onFocusOut);
    };
  }, [open]);

  const label = unread ? `Notifications, ${unread} unread` : "Notifications";
  return (
    <div ref={root} className="notifications">
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.8">
          <path
            d="M6 9a6 6 0 1 1 12 0c0 5 2 6.5 2 6.5H4S6 14 6 9ZM10 19a2.2 2.2 0 0 0 4 0"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        {unread > 0 && (
          <span className="count-badge" aria-hidden="true">
            {unread > 9 ? "9+" : unread}
          </span>
        )}
      </button>
      {open && <NotificationsPanel id={panelId} onClose={() => setOpen(false)} />}
    </div>
  );
}

function NotificationsPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const query = useQuery(notificationsQuery());
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const key = trpc.notifications.list.queryKey(listInput);

  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onMutate: async ({ id }) => {
        await queryClient.cancelQueries({ queryKey: key });
        const before = queryClient.getQueryData(key);
        const now = new Date().toISOString();
        queryClient.setQueryData(key, (old) => old?.map((n) => (n.id === id ? { ...n, readAt: n.readAt ?? now } : n)));
        return { before };
      },
      onError: (error, _input, context) => {
        if (context?.before) queryClient.setQueryData(key, context.before);
        setStatus({ tone: "error", text: describeError(error).message });
      },
      onSettled: () => queryClient.invalidateQueries(trpc.notifications.list.pathFilter()),
    }),
  );

  const read = async (ids: string[]) => {
    setStatus(null);
    // The button pressed disappears with the notification's unread state: keep focus in the panel.
    heading.current?.focus();
    const results = await Promise.allSettled(ids.map((id) => markRead.mutateAsync({ id })));
    if (results.every((r) => r.status === "fulfilled")) {
      setStatus({ tone: "success", text: ids.length === 1 ? "Marked as read." : "All marked as read." });
    }
  };

  const items = query.data ?? [];
  const unread = items.filter((n) => !n.readAt).length;
  return (
    <section id={id} className="popover notifications-panel" aria-labelledby={headingId}>
      <div className="popover-header">
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          Notifications
        </h2>
        {unread > 1 && (
          <button
            type="button"
            className="btn-link small"
            onClick={() => void read(items.filter((n) => !n.readAt).map((n) => n.id))}
          >
            Mark all as read
          </button>
        )}
      </div>
      {query.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      ) : query.isError ? (
        <p className="status status-error" role="alert">
          {describeError(query.error).message}
        </p>
      ) : items.length === 0 ? (
        <p className="popover-empty muted">No notifications yet. Alerts about your credits will appear here.</p>
      ) : (
        <ul className="notification-list">
          {items.map((n) => (
            <NotificationItem key={n.id} notification={n} onRead={() => void read([n.id])} onFollow={onClose} />
          ))}
        </ul>
      )}
      <Status tone={status?.tone}>{status?.text}</Status>
    </section>
  );
}

function NotificationItem({
  notification: n,
  onRead,
  onFollow,
}: {
  notification: Notification;
  onRead: () => void;
  /** A link in the notification was followed (the panel closes, even when it leads to the page already open). */
  onFollow: () => void;
}) {
  const unread = !n.readAt;
  return (
    <li className="notification" data-unread={unread || undefined} data-kind={n.kind}>
      <p className="notification-title">
        {unread && <span className="unread-dot" aria-hidden="true" />}
        {n.title}
        {unread && <span className="visually-hidden"> (unread)</span>}
      </p>
      {n.body && <p className="notification-body">{n.body}</p>}
      <p className="notification-meta">
        <time dateTime={new Date(n.createdAt).toISOString()} title={formatDateTime(n.createdAt)}>
          {timeAgo(n.createdAt)}
        </time>
        {n.kind.startsWith("credits.") && (
          <Link to="/credits" onClick={onFollow}>
            View credits
          </Link>
        )}
        {unread && (
          <button type="button" className="btn-link" onClick={onRead}>
            Mark as read<span className="visually-hidden">: {n.title}</span>
          </button>
        )}
      </p>
    </li>
  );
}
