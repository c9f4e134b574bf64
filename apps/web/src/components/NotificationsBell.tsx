import { UNREAD_COUNT_CAP } from "@inkwell/domain/notifications/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Popover } from "radix-ui";
import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime, timeAgo } from "../lib/format.ts";
import { Status } from "./Alert.tsx";
import s from "./notifications-bell.module.css";
import { Tooltip } from "./ui/tooltip.tsx";

type Notification = Outputs["notifications"]["list"][number];

const listInput = { unreadOnly: false };
/**
 * The count is the server's (every unread notification, not only those in the newest 50 the panel lists),
 * refreshed every minute while the tab is visible (credit alerts arrive after spending, shares any time).
 */
const unreadCountQuery = () => trpc.notifications.unreadCount.queryOptions(undefined, { refetchInterval: 60_000 });
/** Read afresh whenever the panel opens: a share revoked since must not be offered to open. */
const notificationsQuery = () => trpc.notifications.list.queryOptions(listInput, { refetchInterval: 60_000, staleTime: 0 });

/** "99+" past the server's cap (it counts no further). */
const countLabel = (n: number) => (n >= UNREAD_COUNT_CAP ? `${UNREAD_COUNT_CAP - 1}+` : String(n));

/**
 * The header's bell: an unread count and a panel to read and dismiss notifications. The panel is a
 * Radix Popover (a non-modal dialog: Escape and a click outside close it, focus returns to the bell,
 * it stays on screen at any width); following a link in it closes it.
 */
export function NotificationsBell() {
  const unread = useQuery(unreadCountQuery()).data ?? 0;
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();

  // Any navigation closes it.
  useEffect(() => setOpen(false), [pathname]);

  const label = unread ? `Notifications, ${countLabel(unread)} unread` : "Notifications";
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger className={s.bell} aria-label={label}>
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.8">
          <path
            d="M6 9a6 6 0 1 1 12 0c0 5 2 6.5 2 6.5H4S6 14 6 9ZM10 19a2.2 2.2 0 0 0 4 0"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        {unread > 0 && (
          <span className={s.count} aria-hidden="true">
            {unread > 9 ? "9+" : unread}
          </span>
        )}
      </Popover.Trigger>
      <Popover.Portal>
        <NotificationsPanel unread={unread} onClose={() => setOpen(false)} />
      </Popover.Portal>
    </Popover.Root>
  );
}

function NotificationsPanel({ unread, onClose }: { unread: number; onClose: () => void }) {
  const queryClient = useQueryClient();
  const query = useQuery(notificationsQuery());
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const key = trpc.notifications.list.queryKey(listInput);
  const countKey = trpc.notifications.unreadCount.queryKey();

  /**
   * Shows `id` (or, without one, every notification) read at once, and the count with it; the server's
   * answer replaces both when the call settles (undone on an error).
   */
  const optimistic = async (id: string | null) => {
    await queryClient.cancelQueries(trpc.notifications.pathFilter());
    const before = { list: queryClient.getQueryData(key), count: queryClient.getQueryData(countKey) };
    const now = new Date().toISOString();
    const wasUnread = id === null ? (before.count ?? 0) : before.list?.some((n) => n.id === id && !n.readAt) ? 1 : 0;
    queryClient.setQueryData(key, (old) => old?.map((n) => (id === null || n.id === id ? { ...n, readAt: n.readAt ?? now } : n)));
    queryClient.setQueryData(countKey, (old) => Math.max(0, (old ?? 0) - wasUnread));
    return before;
  };
  const mutationEnd = {
    onError: (error: unknown, _input: unknown, before?: { list: Notification[] | undefined; count: number | undefined }) => {
      if (before?.list) queryClient.setQueryData(key, before.list);
      if (before?.count !== undefined) queryClient.setQueryData(countKey, before.count);
      setStatus({ tone: "error", text: describeError(error).message });
    },
    onSettled: () => queryClient.invalidateQueries(trpc.notifications.pathFilter()),
  };
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({ onMutate: ({ id }) => optimistic(id), ...mutationEnd }),
  );
  // One call however many are unread (including those older than the panel lists).
  const markAllRead = useMutation(
    trpc.notifications.markAllRead.mutationOptions({ onMutate: () => optimistic(null), ...mutationEnd }),
  );

  const read = async (id: string | null) => {
    setStatus(null);
    // The button pressed disappears with the notification's unread state: keep focus in the panel.
    heading.current?.focus();
    try {
      if (id === null) await markAllRead.mutateAsync();
      else await markRead.mutateAsync({ id });
      setStatus({ tone: "success", text: id === null ? "All marked as read." : "Marked as read." });
    } catch {
      // Shown by onError.
    }
  };

  const items = query.data ?? [];
  // Offered for two or more, or for one the loaded list does not show (older than the newest 50): a lone
  // unread notice listed has its own button, one off the list has no other.
  const listedUnread = items.filter((n) => !n.readAt).length;
  const offerMarkAll = unread > 1 || listedUnread > 1 || (query.isSuccess && unread > listedUnread);
  return (
    <Popover.Content
      className={s.panel}
      aria-labelledby={headingId}
      align="end"
      sideOffset={8}
      collisionPadding={12}
      // Focus the heading, not "Mark all as read": opening the panel must not put a finger on an action.
      onOpenAutoFocus={(event) => {
        event.preventDefault();
        heading.current?.focus();
      }}
    >
      <div className={s.head}>
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          Notifications
        </h2>
        {offerMarkAll && (
          <button type="button" className="btn-link small" onClick={() => void read(null)}>
            Mark all as read
          </button>
        )}
      </div>
      {query.isPending ? (
        <p className={`loading ${s.note}`} role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      ) : query.isError ? (
        <p className={`status status-error ${s.note}`} role="alert">
          {describeError(query.error).message}
        </p>
      ) : items.length === 0 ? (
        <p className={s.note}>No notifications yet. Alerts about your credits and things shared with you will appear here.</p>
      ) : (
        <ul className={s.list}>
          {items.map((n) => (
            <NotificationItem key={n.id} notification={n} onRead={() => void read(n.id)} onFollow={onClose} />
          ))}
        </ul>
      )}
      <div className={s.statusLine}>
        <Status tone={status?.tone}>{status?.text}</Status>
      </div>
    </Popover.Content>
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
    <li className={s.item} data-unread={unread || undefined} data-kind={n.kind}>
      <p className={s.title}>
        {unread && <span className={s.dot} aria-hidden="true" />}
        {n.title}
        {unread && <span className="visually-hidden"> (unread)</span>}
      </p>
      {n.body && <p className={s.body}>{n.body}</p>}
      <p className={s.meta}>
        <Tooltip label={formatDateTime(n.createdAt)} side="bottom">
          <time dateTime={new Date(n.createdAt).toISOString()}>{timeAgo(n.createdAt)}</time>
        </Tooltip>
        {/* The exact time for screen readers; the tooltip shows it on hover. */}
        <span className="visually-hidden">, {formatDateTime(n.createdAt)}</span>
        {n.kind.startsWith("credits.") && (
          <Link to="/credits" onClick={onFollow}>
            View credits
          </Link>
        )}
        {/* A share (or anything about a study material) links to it while the reader can still open it. */}
        {n.material?.title && (
          <Link to={`/study/items/${n.material.id}`} onClick={onFollow}>
            Open<span className="visually-hidden"> {n.material.title}</span>
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
