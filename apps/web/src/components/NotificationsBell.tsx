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
/** Refreshed every minute while the tab is visible (credit alerts arrive after spending, shares any time). */
export const notificationsQuery = () => trpc.notifications.list.queryOptions(listInput, { refetchInterval: 60_000 });

/**
 * The header's bell: an unread count and a panel to read and dismiss notifications. The panel is a
 * Radix Popover (a non-modal dialog: Escape and a click outside close it, focus returns to the bell,
 * it stays on screen at any width); following a link in it closes it.
 */
export function NotificationsBell() {
  const notifications = useQuery(notificationsQuery());
  const unread = notifications.data?.filter((n) => !n.readAt).length ?? 0;
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();

  // Any navigation closes it.
  useEffect(() => setOpen(false), [pathname]);

  const label = unread ? `Notifications, ${unread} unread` : "Notifications";
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
        <NotificationsPanel onClose={() => setOpen(false)} />
      </Popover.Portal>
    </Popover.Root>
  );
}

function NotificationsPanel({ onClose }: { onClose: () => void }) {
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
            <NotificationItem key={n.id} notification={n} onRead={() => void read([n.id])} onFollow={onClose} />
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
