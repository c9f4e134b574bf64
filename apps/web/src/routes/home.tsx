import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { meQuery, trpc } from "../lib/api.ts";
import { balanceQuery, creditsWord, formatCredits } from "../lib/credits.ts";
import { formatDateTime, timeAgo } from "../lib/format.ts";
import { PLATFORM_NAMES } from "../lib/publishing.ts";
import s from "./home.module.css";

const SHOWN = 5;

/** Home: what the user has — recent drafts, the next posts going out, recent chats and credits. */
export function HomePage() {
  const me = useQuery(meQuery()).data;
  if (!me) return null;
  const name = me.displayName || me.email.split("@")[0];
  const setUp = me.emailVerified && !!me.displayName;
  return (
    <div className={`page page-wide ${s.home}`}>
      <title>Home · Inkwell</title>
      <PageHeader
        title={`Welcome, ${name}`}
        actions={
          <nav aria-label="Start something" className={s.actions}>
            <Link to="/writer" className="btn btn-primary">
              New draft
            </Link>
            <Link to="/publishing/compose" className="btn btn-secondary">
              Compose a post
            </Link>
            <Link to="/chat" className="btn btn-secondary">
              New chat
            </Link>
          </nav>
        }
      />
      <div className={s.grid}>
        <RecentDrafts />
        <NextPosts />
        <RecentChats />
        <Campaigns />
        <Credits />
        {!setUp && <SetUp emailVerified={me.emailVerified} hasName={!!me.displayName} />}
      </div>
    </div>
  );
}

/** One dashboard card: a heading linking to the full page, then a list, a loading line or an empty state. */
function Panel({ id, title, to, more, children }: { id: string; title: string; to: string; more: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className={`card ${s.panel}`}>
      <div className={s.panelHeader}>
        <h2 id={id}>{title}</h2>
        <Link to={to} className={s.more}>
          {more}
        </Link>
      </div>
      {children}
    </section>
  );
}

function Empty({ children }: { children: ReactNode }) {
  return <EmptyState compact>{children}</EmptyState>;
}

function Loading({ error }: { error: boolean }) {
  return <p className={s.empty}>{error ? "Could not load this just now." : "Loading…"}</p>;
}

function RecentDrafts() {
  const drafts = useQuery(trpc.writer.sessions.list.queryOptions({ limit: SHOWN }));
  return (
    <Panel id="home-drafts" title="Recent drafts" to="/writer" more="Open the writer">
      {!drafts.data ? (
        <Loading error={drafts.isError} />
      ) : drafts.data.length === 0 ? (
        <Empty>
          No drafts yet. <Link to="/writer">Start one in the writer</Link>.
        </Empty>
      ) : (
        <ul className={s.list}>
          {drafts.data.map((d) => (
            <li key={d.id}>
              <Link to={`/writer/${d.id}`} className={s.item}>
                <span className={s.itemTitle}>{d.title || "Untitled draft"}</span>
                <span className={s.meta}>{timeAgo(d.updatedAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function NextPosts() {
  const posts = useQuery(
    trpc.publishing.posts.list.queryOptions({ status: ["pending", "publishing", "unknown"], order: "asc", limit: SHOWN }),
  );
  return (
    <Panel id="home-posts" title="Next scheduled posts" to="/publishing" more="Queue & calendar">
      {!posts.data ? (
        <Loading error={posts.isError} />
      ) : posts.data.items.length === 0 ? (
        <Empty>
          Nothing scheduled. <Link to="/publishing/compose">Compose a post</Link>.
        </Empty>
      ) : (
        <ul className={s.list}>
          {posts.data.items.map((p) => (
            <li key={p.id}>
              <Link to="/publishing" className={s.item}>
                <span className={s.itemTitle}>{p.title || p.parts[0] || "(empty post)"}</span>
                <span className={s.meta}>
                  {PLATFORM_NAMES[p.platform]} · {p.scheduledAt ? formatDateTime(p.scheduledAt) : "now"}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function RecentChats() {
  const chats = useQuery(trpc.chat.list.queryOptions({ limit: SHOWN }));
  return (
    <Panel id="home-chats" title="Recent conversations" to="/chat" more="Open chat">
      {!chats.data ? (
        <Loading error={chats.isError} />
      ) : chats.data.length === 0 ? (
        <Empty>
          No conversations yet. <Link to="/chat">Start a chat</Link>.
        </Empty>
      ) : (
        <ul className={s.list}>
          {chats.data.map((c) => (
            <li key={c.id}>
              <Link to={`/chat/${c.id}`} className={s.item}>
                <span className={s.itemTitle}>{c.title || "New conversation"}</span>
                <span className={s.meta}>{timeAgo(c.lastMessageAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

/** Family story campaigns the user runs or belongs to, each with its progress to the goal. */
function Campaigns() {
  const campaigns = useQuery(trpc.stories.campaigns.list.queryOptions());
  const shown = campaigns.data?.filter((c) => c.status !== "archived").slice(0, SHOWN);
  return (
    <Panel id="home-campaigns" title="Family stories" to="/stories" more="All campaigns">
      {!shown ? (
        <Loading error={campaigns.isError} />
      ) : shown.length === 0 ? (
        <Empty>
          No campaigns yet. <Link to="/stories">Collect a loved one's stories</Link>.
        </Empty>
      ) : (
        <ul className={s.list}>
          {shown.map((c) => (
            <li key={c.id}>
              <Link to={`/stories/${c.id}`} className={s.item}>
                <span className={s.itemTitle}>{c.title}</span>
                <span className={s.meta}>
                  {c.storyCount} of {c.goalStories} {c.goalStories === 1 ? "story" : "stories"}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function Credits() {
  const balance = useQuery(balanceQuery());
  const available = balance.data?.available;
  return (
    <Panel id="home-credits" title="Credits" to="/credits" more="History">
      {available === undefined ? (
        <Loading error={balance.isError} />
      ) : (
        <>
          <p className={s.big}>
            {formatCredits(available)} <span className={s.meta}>{creditsWord(available)} available</span>
          </p>
          <p className={s.empty}>
            <Link to="/credits/usage">See what you spent them on</Link>
          </p>
        </>
      )}
    </Panel>
  );
}

function SetUp({ emailVerified, hasName }: { emailVerified: boolean; hasName: boolean }) {
  return (
    <section aria-labelledby="home-setup" className={`card ${s.panel}`}>
      <h2 id="home-setup">Get set up</h2>
      <ul className="checklist">
        <li data-done={emailVerified || undefined}>
          {emailVerified ? "✓ E-mail address confirmed" : "Confirm your e-mail address (see the link we sent)"}
        </li>
        <li data-done={hasName || undefined}>
          <Link to="/profile">{hasName ? "✓ Profile set up" : "Add your name and picture"}</Link>
        </li>
        <li>
          <Link to="/settings#ai-model">Connect your own AI model (optional: the default is an offline placeholder)</Link>
        </li>
      </ul>
    </section>
  );
}
