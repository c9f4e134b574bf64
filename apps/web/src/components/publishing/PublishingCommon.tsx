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

export function PublishingTabs() {
  return (
    <nav aria-label="Publishing" className="tabs pub-tabs">
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
    <span className="pub-platform">
      <span className={`pub-mark pub-mark-${platform}`} aria-hidden={label ? true : undefined} title={PLATFORM_NAMES[platform]}>
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
    <span className="pub-account">
      <span className="pub-account-avatar">
        <Avatar
          url={account.avatarUrl}
          name={account.displayName || account.username}
          email={account.username || "?"}
          size={size}
        />
        <PlatformMark platform={account.platform} />
      </span>
      <span className="pub-account-names">
        <span className="pub-account-name">{account.displayName || account.username}</span>
        <span className="pub-account-handle muted small">{handleOf(account)}</span>
      </span>
    </span>
  );
}

export function StatusBadge({ status }: { status: PostStatus }) {
  return (
    <span className={`badge pub-status pub-status-${STATUS_TONES[status]}`} data-status={status}>
      {status === "publishing" && <span className="spinner" aria-hidden="true" />}
      {STATUS_LABELS[status]}
    </span>
  );
}
