/**
 * What a list shows when it has nothing: a sentence saying why (no items yet, or none match) and,
 * where there is one, the next step (a button or link).
 */
import type { ReactNode } from "react";
import s from "./empty-state.module.css";

export function EmptyState({
  children,
  action,
  compact = false,
}: {
  children: ReactNode;
  action?: ReactNode;
  /** Inside a narrow sidebar: no frame, smaller text. */
  compact?: boolean;
}) {
  return (
    <div className={compact ? s.compact : s.empty}>
      <p className={s.text}>{children}</p>
      {action && <div className={s.action}>{action}</div>}
    </div>
  );
}
