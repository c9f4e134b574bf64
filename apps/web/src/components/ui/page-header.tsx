/**
 * A page's header: its one h1 (focusable, so the shell can move focus to it after navigation), an
 * optional lead line, and the page's main actions, which wrap under the title on a phone.
 */
import type { ReactNode } from "react";
import s from "./page-header.module.css";

export function PageHeader({ title, lead, actions }: { title: ReactNode; lead?: ReactNode; actions?: ReactNode }) {
  return (
    <header className={s.header}>
      <div className={s.text}>
        <h1 tabIndex={-1} className={s.title}>
          {title}
        </h1>
        {lead && <p className={s.lead}>{lead}</p>}
      </div>
      {actions && <div className={s.actions}>{actions}</div>}
    </header>
  );
}
