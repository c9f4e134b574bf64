import type { AppRouter } from "@inkwell/api/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { isTRPCClientError } from "@trpc/client";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Notice } from "../components/Alert.tsx";
import { imageProblems, MediaAttach, type PostImage } from "../components/publishing/MediaAttach.tsx";
import { PostPreview } from "../components/publishing/PostPreview.tsx";
import { AccountIdentity, PublishingTabs } from "../components/publishing/PublishingCommon.tsx";
import styles from "../components/publishing/publishing.module.css";
import { ScheduleFields, type ScheduleValue, scheduleLocal, splitLocal } from "../components/publishing/ScheduleFields.tsx";
import { ThreadEditor } from "../components/publishing/ThreadEditor.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import {
  type ChannelCheck,
  type ComposerState,
  channelParts,
  channelTitle,
  checkChannel,
  customise,
  emptyComposer,
  noProblems,
  PLATFORM_NAMES,
  placeIssues,
  resetToShared,
  type ServerProblems,
  takesThreads,
  toggleChannel,
  type When,
} from "../lib/publishing.ts";
import { browserTimeZone, parseLocal, scheduleProblem, suggestedLocal } from "../lib/publishing-time.ts";

type Connection = Outputs["publishing"]["connections"]["list"][number];
type Action = When["kind"];

/** The server's validation answer, placed next to the fields it is about. */
function placeProblems(error: unknown, channelIds: string[]): ServerProblems {
  const issues = isTRPCClientError<AppRouter>(error) ? (error.data?.issues ?? []) : [];
  return placeIssues(issues, channelIds, describeError(error).message);
}

/** /publishing/compose: write once, send to several accounts (with per-account variants), now, later or as a draft. */
export function PublishingComposePage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const connections = useQuery(trpc.publishing.connections.list.queryOptions());
  const [state, setState] = useState<ComposerState>(() => emptyComposer());
  const [tab, setTab] = useState<string>("shared");
  const [schedule, setSchedule] = useState<ScheduleValue>(() => {
    const zone = browserTimeZone();
    const suggested = splitLocal(suggestedLocal(zone), zone);
    // From the calendar (?date=YYYY-MM-DD): that day, at 09:00 unless it is today.
    const day = params.get("date");
    if (!day || !parseLocal(`${day}T09:00`) || day <= suggested.date) return suggested;
    return { ...suggested, date: day, time: "09:00" };
  });
  const [problems, setProblems] = useState<ServerProblems>(noProblems);
  const [clientWhen, setClientWhen] = useState<string | null>(null);
  const [tried, setTried] = useState(false);
  // Images are shared by every selected account (each platform's limit is checked below).
  const [images, setImages] = useState<PostImage[]>([]);
  const idempotencyKey = useRef(crypto.randomUUID());
  const writerOutputId = params.get("writerOutput");
  const fromWriter = useQuery({
    ...trpc.writer.sessions.output.queryOptions({ outputId: writerOutputId ?? "" }),
    enabled: Boolean(writerOutputId),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const prefilled = useRef(false);

  // Preselect the account named in the URL (e.g. from the connections page).
  const preselect = params.get("connection");
  const byId = useMemo(() => new Map((connections.data ?? []).map((c) => [c.id, c])), [connections.data]);
  const preselected = useRef(false);
  useEffect(() => {
    const c = preselect ? byId.get(preselect) : undefined;
    if (!c || preselected.current) return;
    preselected.current = true;
    setState((s) => toggleChannel(s, c, true));
  }, [preselect, byId]);

  // From the writer: its text (thread posts as parts, the article's title) and the first active
  // account of the format's platform. Once, and only into an untouched composer.
  const prefill = fromWriter.data?.prefill;
  useEffect(() => {
    if (!prefill || !connections.data || prefilled.current) return;
    prefilled.current = true;
    // A newsletter has no platform: the text comes in, the accounts are the person's choice.
    const account = prefill.platform
      ? connections.data.find((c) => c.platform === prefill.platform && c.status === "active")
      : undefined;
    setState((s) => {
      if (s.shared.some((p) => p.trim())) return s;
      const next = { ...s, shared: prefill.parts.length ? [...prefill.parts] : [""], sharedTitle: prefill.title ?? "" };
      return account ? toggleChannel(next, account, true) : next;
    });
  }, [prefill, connections.data]);

  const checks = new Map<string, ChannelCheck>(
    state.channels.map((c) => [c.connectionId, checkChannel(c.platform, channelParts(state, c), channelTitle(state, c))]),
  );
  const imagesOk =
    imageProblems(
      images.length,
      state.channels.map((c) => c.platform),
    ).length === 0;
  const allOk = state.channels.length > 0 && [...checks.values()].every((c) => c.ok) && imagesOk;

  const compose = useMutation(
    trpc.publishing.posts.compose.mutationOptions({
      onSuccess: async (_result, input) => {
        await qc.invalidateQueries(trpc.publishing.posts.pathFilter());
        const kind = input.when.kind;
        void navigate(
          kind === "draft" ? "/publishing?saved=draft" : kind === "now" ? "/publishing?saved=now" : "/publishing?saved=scheduled",
        );
      },
      onError: (error, input) =>
        setProblems(
          placeProblems(
            error,
            input.channels.map((c) => c.connectionId),
          ),
        ),
    }),
  );

  const submit = (action: Action) => {
    setTried(true);
    setProblems(noProblems());
    setClientWhen(null);
    if (state.channels.length === 0) return;
    if (action !== "draft" && !allOk) return;
    if (action === "at") {
      const problem = scheduleProblem(scheduleLocal(schedule), schedule.timeZone);
      if (problem) return setClientWhen(problem);
    }
    const when: When =
      action === "at" ? { kind: "at", local: scheduleLocal(schedule), timeZone: schedule.timeZone } : { kind: action };
    compose.mutate({
      channels: state.channels.map((c) => ({
        connectionId: c.connectionId,
        parts: channelParts(state, c),
        ...(c.platform === "wordpress" ? { title: channelTitle(state, c) } : {}),
        ...(images.length ? { mediaFileIds: images.map((i) => i.fileId) } : {}),
      })),
      when,
      ...(writerOutputId ? { writerOutputId } : {}),
      idempotencyKey: `${idempotencyKey.current}:${action}`,
    });
  };

  const selected = state.channels.map((c) => ({ channel: c, connection: byId.get(c.connectionId) }));
  const active = tab === "shared" ? null : state.channels.find((c) => c.connectionId === tab);
  const sharedPlatforms = state.channels.filter((c) => !c.custom).map((c) => c.platform);
  const sharedThreads = state.channels.length === 0 || state.channels.some((c) => !c.custom && takesThreads(c.platform));
  const sharedNeedsTitle = state.channels.some((c) => !c.custom && c.platform === "wordpress");
  const partErrorsFor = (connectionId: string) => {
    const merged = new Map<number, string[]>(problems.parts.get(connectionId) ?? []);
    if (tried)
      for (const [i, messages] of checks.get(connectionId)?.parts ?? []) merged.set(i, [...(merged.get(i) ?? []), ...messages]);
    return merged;
  };
  const sharedErrors = new Map<number, string[]>();
  for (const c of state.channels.filter((c) => !c.custom)) {
    for (const [i, messages] of partErrorsFor(c.connectionId)) {
      if (c.platform === "linkedin" || c.platform === "wordpress") continue;
      sharedErrors.set(i, [...new Set([...(sharedErrors.get(i) ?? []), ...messages])]);
    }
  }

  return (
    <div className="page page-wide">
      <title>Compose · Publishing · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Compose</h1>
        <p className="muted">Write once, adjust per account, and publish now, later or keep it as a draft.</p>
      </header>
      <PublishingTabs />
      {writerOutputId && (
        <div className={styles.fromWriter} role="status">
          {fromWriter.isPending ? (
            <p className="loading">
              <span className="spinner" aria-hidden="true" /> Bringing in the text from the writer…
            </p>
          ) : fromWriter.isError ? (
            <p className="status status-error">{describeError(fromWriter.error).message}</p>
          ) : (
            <Notice tone="info">
              <p>
                The text comes from your writer session
                {fromWriter.data.prefill?.platform ? ` (${PLATFORM_NAMES[fromWriter.data.prefill.platform]})` : ""}. Changes here
                do not change it there. <Link to={`/writer/${fromWriter.data.sessionId}`}>Back to the session</Link>
              </p>
            </Notice>
          )}
        </div>
      )}
      <form
        className={styles.compose}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit("at");
        }}
      >
        <div className="stack">
          <section className="card" aria-labelledby="pub-channels-heading">
            <h2 id="pub-channels-heading">Post to</h2>
            {connections.isPending ? (
              <p className="loading" role="status">
                <span className="spinner" aria-hidden="true" /> Loading your accounts…
              </p>
            ) : connections.isError ? (
              <p className="status status-error" role="alert">
                {describeError(connections.error).message}
              </p>
            ) : connections.data.length === 0 ? (
              <div className="empty">
                <p>
                  No accounts connected yet. <Link to="/publishing/connections">Connect an account</Link> to publish.
                </p>
              </div>
            ) : (
              <fieldset
                className={styles.channels}
                aria-describedby={tried && state.channels.length === 0 ? "pub-channels-error" : undefined}
              >
                <legend className="visually-hidden">Accounts</legend>
                {connections.data.map((connection) => (
                  <ChannelOption
                    key={connection.id}
                    connection={connection}
                    checked={state.channels.some((c) => c.connectionId === connection.id)}
                    onChange={(checked) => {
                      setState((s) => toggleChannel(s, connection, checked));
                      if (!checked && tab === connection.id) setTab("shared");
                    }}
                    problems={problems.channels.get(connection.id) ?? []}
                  />
                ))}
                {tried && state.channels.length === 0 && (
                  <p className="field-error" id="pub-channels-error" role="alert">
                    <span aria-hidden="true">⚠ </span>Pick at least one account to post to.
                  </p>
                )}
              </fieldset>
            )}
          </section>

          <section className="card" aria-labelledby="pub-text-heading">
            <h2 id="pub-text-heading">Text</h2>
            <div
              className={styles.variantTabs}
              role="tablist"
              aria-label="Text for"
              onKeyDown={(event) => {
                // The tabs pattern: arrows move between tabs (and select), Home/End jump to the ends.
                const ids = ["shared", ...state.channels.map((c) => c.connectionId)];
                const at = ids.indexOf(tab);
                const next =
                  event.key === "ArrowRight"
                    ? ids[(at + 1) % ids.length]
                    : event.key === "ArrowLeft"
                      ? ids[(at - 1 + ids.length) % ids.length]
                      : event.key === "Home"
                        ? ids[0]
                        : event.key === "End"
                          ? ids.at(-1)
                          : undefined;
                if (!next) return;
                event.preventDefault();
                setTab(next);
                document.getElementById(`pub-tab-${next}`)?.focus();
              }}
            >
              <button
                type="button"
                role="tab"
                id="pub-tab-shared"
                aria-selected={tab === "shared"}
                tabIndex={tab === "shared" ? 0 : -1}
                aria-controls="pub-tabpanel"
                className={styles.variantTab}
                onClick={() => setTab("shared")}
              >
                All accounts
              </button>
              {selected.map(({ channel, connection }) => (
                <button
                  key={channel.connectionId}
                  type="button"
                  role="tab"
                  id={`pub-tab-${channel.connectionId}`}
                  aria-selected={tab === channel.connectionId}
                  tabIndex={tab === channel.connectionId ? 0 : -1}
                  aria-controls="pub-tabpanel"
                  className={styles.variantTab}
                  onClick={() => setTab(channel.connectionId)}
                >
                  {PLATFORM_NAMES[channel.platform]}
                  {connection &&
                    state.channels.filter((c) => c.platform === channel.platform).length > 1 &&
                    ` @${connection.username}`}
                  {channel.custom && <span className="badge badge-accent">Variant</span>}
                  {!checks.get(channel.connectionId)?.ok && <span className="badge badge-danger">!</span>}
                </button>
              ))}
            </div>
            <div role="tabpanel" id="pub-tabpanel" aria-labelledby={active ? `pub-tab-${active.connectionId}` : "pub-tab-shared"}>
              {active ? (
                active.custom ? (
                  <div className="stack">
                    <p className="muted small">
                      This account gets its own text.{" "}
                      <button
                        type="button"
                        className="btn-link"
                        onClick={() => setState((s) => resetToShared(s, active.connectionId))}
                      >
                        Use the shared text again
                      </button>
                    </p>
                    {active.platform === "wordpress" && (
                      <TitleField
                        value={active.title}
                        onChange={(title) =>
                          setState((s) => ({
                            ...s,
                            channels: s.channels.map((c) => (c.connectionId === active.connectionId ? { ...c, title } : c)),
                          }))
                        }
                        error={tried ? checks.get(active.connectionId)?.title[0] : undefined}
                      />
                    )}
                    <ThreadEditor
                      label={`${PLATFORM_NAMES[active.platform]} variant`}
                      parts={active.parts}
                      platforms={[active.platform]}
                      threaded={takesThreads(active.platform)}
                      errors={partErrorsFor(active.connectionId)}
                      onChange={(parts) =>
                        setState((s) => ({
                          ...s,
                          channels: s.channels.map((c) => (c.connectionId === active.connectionId ? { ...c, parts } : c)),
                        }))
                      }
                    />
                  </div>
                ) : (
                  <div className="empty">
                    <p>
                      {PLATFORM_NAMES[active.platform]} gets the shared text{takesThreads(active.platform) ? "" : " as one post"}.
                    </p>
                    <Button
                      variant="secondary"
                      className="btn-small"
                      onClick={() => setState((s) => customise(s, active.connectionId))}
                    >
                      Write a {PLATFORM_NAMES[active.platform]} variant
                    </Button>
                  </div>
                )
              ) : (
                <div className="stack">
                  {sharedNeedsTitle && (
                    <TitleField
                      value={state.sharedTitle}
                      onChange={(sharedTitle) => setState((s) => ({ ...s, sharedTitle }))}
                      error={
                        tried
                          ? state.channels
                              .filter((c) => !c.custom && c.platform === "wordpress")
                              .flatMap((c) => checks.get(c.connectionId)?.title ?? [])[0]
                          : undefined
                      }
                    />
                  )}
                  <ThreadEditor
                    label="Shared text"
                    parts={state.shared}
                    platforms={sharedPlatforms.length ? sharedPlatforms : []}
                    threaded={sharedThreads}
                    errors={sharedErrors}
                    onChange={(shared) => setState((s) => ({ ...s, shared }))}
                  />
                </div>
              )}
            </div>
          </section>

          <section className="card" aria-labelledby="pub-media-heading">
            <h2 id="pub-media-heading">Images</h2>
            <MediaAttach
              images={images}
              platforms={state.channels.map((c) => c.platform)}
              onAdd={(image) => setImages((list) => [...list, image])}
              onRemove={(fileId) => setImages((list) => list.filter((i) => i.fileId !== fileId))}
            />
          </section>

          <section className="card" aria-labelledby="pub-when-heading">
            <h2 id="pub-when-heading">Publish</h2>
            <ScheduleFields
              value={schedule}
              onChange={(next) => {
                // A new time answers the old objection; the next submit checks again.
                setSchedule(next);
                setClientWhen(null);
                setProblems((p) => (p.when ? { ...p, when: null } : p));
              }}
              error={clientWhen ?? problems.when ?? undefined}
              legend="Schedule for"
            />
            {problems.form && (
              <p className="status status-error" role="alert">
                {problems.form}
              </p>
            )}
            {tried && state.channels.length > 0 && !allOk && (
              <p className="status status-error" role="alert">
                Some posts break their platform's rules; fix what is marked before publishing or scheduling.
              </p>
            )}
            <div className={styles.actions}>
              <Button
                type="submit"
                pending={compose.isPending && compose.variables?.when.kind === "at"}
                pendingLabel="Scheduling…"
              >
                Schedule
              </Button>
              <Button
                variant="secondary"
                pending={compose.isPending && compose.variables?.when.kind === "now"}
                pendingLabel="Publishing…"
                onClick={() => submit("now")}
              >
                Publish now
              </Button>
              <Button
                variant="ghost"
                pending={compose.isPending && compose.variables?.when.kind === "draft"}
                pendingLabel="Saving…"
                onClick={() => submit("draft")}
              >
                Save as draft
              </Button>
            </div>
          </section>
        </div>

        <aside className={styles.previews} aria-labelledby="pub-preview-heading">
          <h2 id="pub-preview-heading">Preview</h2>
          {selected.length === 0 ? (
            <div className="empty">
              <p>Pick an account to see how the post will look there.</p>
            </div>
          ) : (
            selected.map(
              ({ channel, connection }) =>
                connection && (
                  <PostPreview
                    key={channel.connectionId}
                    account={connection}
                    parts={channelParts(state, channel)}
                    title={channelTitle(state, channel)}
                    check={checks.get(channel.connectionId) as ChannelCheck}
                    images={images}
                  />
                ),
            )
          )}
        </aside>
      </form>
    </div>
  );
}

function ChannelOption({
  connection,
  checked,
  onChange,
  problems,
}: {
  connection: Connection;
  checked: boolean;
  onChange: (checked: boolean) => void;
  problems: string[];
}) {
  const needsReauth = connection.status === "needs_reauth";
  return (
    <div>
      <label className={styles.channelOption} data-disabled={needsReauth && !checked ? "" : undefined}>
        <input
          type="checkbox"
          checked={checked}
          disabled={needsReauth && !checked}
          onChange={(e) => onChange(e.target.checked)}
          aria-label={`${connection.displayName || connection.username} on ${PLATFORM_NAMES[connection.platform]}`}
        />
        <AccountIdentity account={connection} size={30} />
        {needsReauth && <span className="badge badge-warning">Needs reconnecting</span>}
      </label>
      {needsReauth && (
        <p className="hint">
          <Link to="/publishing/connections">Reconnect {PLATFORM_NAMES[connection.platform]}</Link> to post to this account.
        </p>
      )}
      {problems.map((message) => (
        <p key={message} className="field-error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {message}
        </p>
      ))}
    </div>
  );
}

function TitleField({ value, onChange, error }: { value: string; onChange: (value: string) => void; error: string | undefined }) {
  return (
    <div className="field" data-invalid={error ? "" : undefined}>
      <label htmlFor="pub-title">WordPress title</label>
      <input
        id="pub-title"
        type="text"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "pub-title-error" : undefined}
      />
      {error && (
        <p className="field-error" id="pub-title-error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}
