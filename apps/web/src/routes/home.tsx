import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { meQuery } from "../lib/api.ts";

/** 24×24 outline icons (stroke paths). */
const ICONS = {
  writer: "M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z",
  stories: "M2 4h6a4 4 0 0 1 4 4v12a3 3 0 0 0-3-3H2ZM22 4h-6a4 4 0 0 0-4 4v12a3 3 0 0 1 3-3h7Z",
  studio: "M3 5h18v14H3ZM10 9l5 3-5 3Z",
  chat: "M21 12a8 8 0 0 1-11.6 7.1L3 21l1.9-6.4A8 8 0 1 1 21 12Z",
  study: "M2 9l10-5 10 5-10 5ZM6 11v5c3 2.5 9 2.5 12 0v-5",
};

const MODULES = [
  {
    name: "Writer",
    icon: ICONS.writer,
    text: "Draft, rewrite and polish long-form text with an assistant that keeps your voice.",
  },
  { name: "Stories", icon: ICONS.stories, text: "Plan characters, worlds and chapters, and write interactive fiction." },
  { name: "Studio", icon: ICONS.studio, text: "Turn ideas into posts, voice-overs, images and short videos." },
  { name: "Chat", icon: ICONS.chat, text: "Talk things through with the models you choose, using your own keys." },
  { name: "Study", icon: ICONS.study, text: "Make notes, flashcards and quizzes from anything you read." },
];

export function HomePage() {
  const me = useQuery(meQuery()).data;
  if (!me) return null;
  const name = me.displayName || me.email.split("@")[0];
  return (
    <div className="page page-wide">
      <title>Home · Inkwell</title>
      <header className="page-header hero">
        <h1 tabIndex={-1}>Welcome, {name}</h1>
        <p className="lead">Inkwell — your AI workspace for writing, stories, content and study.</p>
      </header>
      <section aria-labelledby="modules-heading">
        <h2 id="modules-heading" className="section-title">
          Coming soon
        </h2>
        <ul className="modules">
          {MODULES.map((m) => (
            <li key={m.name} className="card module">
              <span className="module-icon" aria-hidden="true">
                <svg
                  aria-hidden="true"
                  viewBox="0 0 24 24"
                  width="22"
                  height="22"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="1.8"
                >
                  <path d={m.icon} strokeLinecap="round" strokeLinejoin="round" />
                </svg>
              </span>
              <h3>{m.name}</h3>
              <p className="muted">{m.text}</p>
              <span className="badge">In the works</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="setup-heading" className="card setup">
        <h2 id="setup-heading">Get set up</h2>
        <ul className="checklist">
          <li data-done={me.emailVerified || undefined}>
            {me.emailVerified ? "✓ E-mail address confirmed" : "Confirm your e-mail address (see the link we sent)"}
          </li>
          <li data-done={me.displayName ? true : undefined}>
            <Link to="/profile">{me.displayName ? "✓ Profile set up" : "Add your name and picture"}</Link>
          </li>
          <li>
            <Link to="/settings">Add an API key for the AI providers you use</Link>
          </li>
        </ul>
      </section>
    </div>
  );
}
