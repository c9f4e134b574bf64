/** Small pieces every publishing page shares: the section tabs, a platform mark, an account, a status. */
import { NavLink } from "react-router";
import {
  handleOf,
  PLATFORM_NAMES,
  type PlatformKind,
  type PostStatus,
  STATUS_LABELS,
  STATUS_TONES,
} from "../../lib/publishing.ts";
import { Avatar } from "../Avatar.tsx";
import styles from "./publishing.module.css";

export function PublishingTabs() {
  return (
    <nav aria-label="Publishing" className={`tabs ${styles.tabs}`}>
      <NavLink to="/publishing" end className="tab" state={{ keepFocus: true }}>
        Queue
      </NavLink>
      <NavLink to="/publishing/compose" className="tab" state={{ keepFocus: true }}>
        Compose
      </NavLink>
      <NavLink to="/publishing/history" className="tab" state={{ keepFocus: true }}>
        History
      </NavLink>
      <NavLink to="/publishing/connections" className="tab" state={{ keepFocus: true }}>
        Connections
      </NavLink>
    </nav>
  );
}

const MARKS: Record<PlatformKind, string> = { x: "𝕏", linkedin: "in", threads: "@", wordpress: "W" };

/** The platform's initial in its colour, with its name for screen readers (or shown with `label`). */
export function PlatformMark({ platform, label = false }: { platform: PlatformKind; label?: boolean }) {
  return (
    <span className={styles.platform}>
      <span
        className={styles.mark}
        data-platform={platform}
        aria-hidden={label ? true : undefined}
        title={PLATFORM_NAMES[platform]}
      >
        {MARKS[platform]}
      </span>
      {label ? <span>{PLATFORM_NAMES[platform]}</span> : <span className="visually-hidden">{PLATFORM_NAMES[platform]}</span>}
    </span>
  );
}

export interface AccountLike {
  platform: PlatformKind;
  displayName: string;
  username: string;
  avatarUrl: string | null;
}

/** Avatar, display name and handle of a connected account, with its platform. */
export function AccountIdentity({ account, size = 36 }: { account: AccountLike; size?: number }) {
  return (
    <span className={styles.account}>
      <span className={styles.accountAvatar}>
        <Avatar
          url={account.avatarUrl}
          name={account.displayName || account.username}
          email={account.username || "?"}
          size={size}
        />
        <PlatformMark platform={account.platform} />
      </span>
      <span className={styles.accountNames}>
        <span className={styles.accountName}>{account.displayName || account.username}</span>
        <span className={`${styles.accountHandle} muted small`}>{handleOf(account)}</span>
      </span>
    </span>
  );
}

export function StatusBadge({ status }: { status: PostStatus }) {
  return (
    <span className={`badge badge-status badge-${STATUS_TONES[status]}`} data-status={status}>
      {status === "publishing" && <span className="spinner" aria-hidden="true" />}
      {STATUS_LABELS[status]}
    </span>
  );
}
