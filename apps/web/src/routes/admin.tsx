/**
 * Administration (/admin, /admin/:tab): overview (open work, usage and credits per day, reconciliation),
 * users, announcements, site settings, queue health and feedback. Only administrators see it; the API
 * refuses every admin.* call to anyone else in any case.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { AnnouncementsPanel } from "../components/admin/announcements-panel.tsx";
import { ConfigPanel } from "../components/admin/config-panel.tsx";
import { FeedbackPanel } from "../components/admin/feedback-panel.tsx";
import { OverviewPanel } from "../components/admin/overview-panel.tsx";
import { QueuesPanel } from "../components/admin/queues-panel.tsx";
import { UsersPanel } from "../components/admin/users-panel.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { meQuery } from "../lib/api.ts";
import { NotFoundPage } from "./not-found.tsx";

const TABS = [
  { tab: "", label: "Overview", Panel: OverviewPanel },
  { tab: "users", label: "Users", Panel: UsersPanel },
  { tab: "announcements", label: "Announcements", Panel: AnnouncementsPanel },
  { tab: "config", label: "Settings", Panel: ConfigPanel },
  { tab: "queues", label: "Queues", Panel: QueuesPanel },
  { tab: "feedback", label: "Feedback", Panel: FeedbackPanel },
] as const;

export function AdminPage() {
  const me = useQuery(meQuery()).data;
  const { tab = "" } = useParams();
  const current = TABS.find((t) => t.tab === tab);
  // Not an administrator (or no such tab): the page does not exist for them.
  if (me?.role !== "admin" || !current) return <NotFoundPage />;
  const { Panel } = current;
  return (
    <div className="page page-wide">
      <title>{`${current.label} · Admin · Inkwell`}</title>
      <PageHeader title="Admin" lead="Run the site: users, announcements, settings, queues and what people report." />
      <nav className="tabs" aria-label="Admin sections">
        {TABS.map((t) => (
          <Link
            key={t.tab}
            className="tab"
            to={t.tab ? `/admin/${t.tab}` : "/admin"}
            state={{ keepFocus: true }}
            aria-current={t.tab === tab ? "page" : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <div style={{ marginTop: "1.5rem" }}>
        <Panel />
      </div>
    </div>
  );
}
