import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import { AccountIdentity, PlatformMark, PublishingTabs } from "../components/publishing/PublishingCommon.tsx";
import styles from "../components/publishing/publishing.module.css";
import { Button, SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { useForm, zodValidator } from "../lib/form.ts";
import { formatDateTime, timeAgo } from "../lib/format.ts";
import { OAUTH_PLATFORMS, type OAuthPlatform, PLATFORM_NAMES } from "../lib/publishing.ts";
import { connectWordPressInput } from "../lib/publishing-rules.ts";

type Connection = Outputs["publishing"]["connections"]["list"][number];

/** /publishing/connections: the accounts posts go to — connect, reconnect, disconnect. */
export function PublishingConnectionsPage() {
  const [params, setParams] = useSearchParams();
  const connectedId = params.get("connected");
  const oauthError = params.get("error");
  const connections = useQuery(trpc.publishing.connections.list.queryOptions());
  const info = useQuery({ ...trpc.system.info.queryOptions(), staleTime: Number.POSITIVE_INFINITY }).data;
  const sandbox = info?.publishing?.sandbox ?? false;
  const feedUrl = info?.publishing?.sandboxFeedUrl ?? null;
  const justConnected = connectedId ? connections.data?.find((c) => c.id === connectedId) : undefined;
  const dismiss = () => setParams({}, { replace: true, preventScrollReset: true });

  return (
    <div className="page page-wide">
      <title>Connections · Publishing · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Connections</h1>
        <p className="muted">The accounts Inkwell publishes to. Your passwords and tokens stay on our server.</p>
      </header>
      <PublishingTabs />
      <div className="stack">
        {connectedId && (
          <div role="status">
            <Notice tone="success" title="Account connected">
              <p>
                {justConnected
                  ? `${justConnected.displayName || justConnected.username} on ${PLATFORM_NAMES[justConnected.platform]} is ready to post to.`
                  : "The account is ready to post to."}{" "}
                <Link to="/publishing/compose">Write a post</Link>
              </p>
              <button type="button" className="btn-link small" onClick={dismiss}>
                Dismiss
              </button>
            </Notice>
          </div>
        )}
        {oauthError && (
          <div role="alert">
            <Notice tone="error" title="The account was not connected">
              <p>{oauthError}</p>
              <button type="button" className="btn-link small" onClick={dismiss}>
                Dismiss
              </button>
            </Notice>
          </div>
        )}
        {sandbox && (
          <Notice tone="info" title="Sandbox platform">
            <p>
              This installation publishes to a local sandbox that stands in for X, LinkedIn, Threads and WordPress: connecting
              approves a sandbox account, and nothing leaves this machine.{" "}
              {feedUrl && (
                <a href={feedUrl} target="_blank" rel="noreferrer">
                  Open the sandbox feed
                </a>
              )}
            </p>
          </Notice>
        )}
        <ConnectCard />
        <section className="card" aria-labelledby="pub-connected-heading">
          <h2 id="pub-connected-heading">Connected accounts</h2>
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
              <p>No accounts yet. Connect one above to start publishing.</p>
            </div>
          ) : (
            <ul className={`list ${styles.connectionList}`}>
              {connections.data.map((connection) => (
                <ConnectionRow key={connection.id} connection={connection} />
              ))}
            </ul>
          )}
        </section>
        <WordPressCard />
      </div>
    </div>
  );
}

/** Sends the browser to the platform to approve; it comes back to this page with ?connected= or ?error=. */
function useStartOAuth() {
  const [problem, setProblem] = useState<string | null>(null);
  const start = useMutation(
    trpc.publishing.connections.startOAuth.mutationOptions({
      onMutate: () => setProblem(null),
      onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl),
      onError: (error) => setProblem(describeError(error).message),
    }),
  );
  return { start, problem };
}

function ConnectCard() {
  const { start, problem } = useStartOAuth();
  const pendingPlatform = start.isPending || start.isSuccess ? start.variables?.platform : undefined;
  return (
    <section className="card" aria-labelledby="pub-connect-heading">
      <h2 id="pub-connect-heading">Connect an account</h2>
      <p className="muted">You'll approve Inkwell on the platform's own page, then come back here.</p>
      {problem && (
        <p className="status status-error" role="alert">
          {problem}
        </p>
      )}
      <div className={styles.connectGrid}>
        {OAUTH_PLATFORMS.map((platform: OAuthPlatform) => (
          <Button
            key={platform}
            variant="secondary"
            pending={pendingPlatform === platform}
            pendingLabel={`Opening ${PLATFORM_NAMES[platform]}…`}
            onClick={() => start.mutate({ platform })}
          >
            <PlatformMark platform={platform} />
            Connect {PLATFORM_NAMES[platform]}
          </Button>
        ))}
        <a className="btn btn-secondary" href="#pub-wordpress-heading">
          <PlatformMark platform="wordpress" />
          Connect WordPress
        </a>
      </div>
    </section>
  );
}

function ConnectionRow({ connection }: { connection: Connection }) {
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const { start, problem: reconnectProblem } = useStartOAuth();
  const disconnect = useMutation(
    trpc.publishing.connections.disconnect.mutationOptions({
      onSuccess: () => qc.invalidateQueries(trpc.publishing.connections.list.pathFilter()),
      onError: (error) => setProblem(describeError(error).message),
    }),
  );
  const name = connection.displayName || connection.username;
  const platformName = PLATFORM_NAMES[connection.platform];
  const needsReauth = connection.status === "needs_reauth";

  const reconnect = () => {
    if (connection.platform === "wordpress") {
      document.getElementById("pub-wordpress-heading")?.scrollIntoView({ behavior: "smooth" });
      document.getElementById("pub-wordpress-heading")?.focus();
      return;
    }
    start.mutate({ platform: connection.platform, reconnectId: connection.id });
  };

  return (
    <li className={styles.connection} data-status={connection.status} aria-label={`${name} on ${platformName}`}>
      <div className={styles.connectionMain}>
        <AccountIdentity account={connection} />
        <div className="row-actions">
          {needsReauth ? (
            <span className="badge badge-warning">Needs reconnecting</span>
          ) : (
            <span className="badge badge-success">Connected</span>
          )}
          <Button
            variant={needsReauth ? "primary" : "ghost"}
            className="btn-small"
            pending={start.isPending || start.isSuccess}
            pendingLabel="Opening…"
            onClick={reconnect}
            aria-label={`Reconnect ${name} on ${platformName}`}
          >
            Reconnect
          </Button>
          {!confirming && (
            <Button
              variant="ghost"
              className="btn-small"
              onClick={() => setConfirming(true)}
              aria-label={`Disconnect ${name} on ${platformName}`}
            >
              Disconnect
            </Button>
          )}
        </div>
      </div>
      {needsReauth && (
        <div role="alert">
          <Notice tone="error" title={`Reconnect ${platformName} to keep publishing`}>
            <p>
              {connection.lastError ?? `${platformName} no longer accepts Inkwell's access to this account.`} Posts scheduled on
              it will not go out until you reconnect.
            </p>
          </Notice>
        </div>
      )}
      <p className={`${styles.connectionMeta} muted small`}>
        {connection.platform === "wordpress" && connection.siteUrl ? `${connection.siteUrl} · ` : ""}
        Connected {formatDateTime(connection.createdAt)}
        {connection.lastRefreshedAt && ` · access renewed ${timeAgo(connection.lastRefreshedAt)}`}
      </p>
      {confirming && (
        <fieldset className="confirm">
          <legend>
            Disconnect {name} on {platformName}? Posts scheduled on it will not be published.
          </legend>
          <div className="confirm-actions">
            <Button
              variant="danger"
              className="btn-small"
              pending={disconnect.isPending}
              pendingLabel="Disconnecting…"
              onClick={() => disconnect.mutate({ connectionId: connection.id })}
            >
              Disconnect
            </Button>
            <Button variant="ghost" className="btn-small" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </div>
        </fieldset>
      )}
      {(problem || reconnectProblem) && (
        <p className="status status-error" role="alert">
          {problem ?? reconnectProblem}
        </p>
      )}
    </li>
  );
}

function WordPressCard() {
  const qc = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const form = useForm({
    initial: { siteUrl: "", username: "", applicationPassword: "" },
    validate: zodValidator(connectWordPressInput, (v) => v),
  });
  const connect = useMutation(
    trpc.publishing.connections.connectWordPress.mutationOptions({
      onSuccess: (connection) => {
        setDone(`${connection.displayName || connection.username} on ${connection.siteUrl ?? "your site"} is connected.`);
        form.reset();
        return qc.invalidateQueries(trpc.publishing.connections.list.pathFilter());
      },
      onError: (error) => form.fail(error),
    }),
  );
  return (
    <section className="card" aria-labelledby="pub-wordpress-heading">
      <h2 id="pub-wordpress-heading" tabIndex={-1}>
        Connect a WordPress site
      </h2>
      <p className="muted">
        Create an application password in WordPress (Users → Profile → Application Passwords) and enter it here. It is stored
        encrypted; to reconnect a site, enter a new one.
      </p>
      <form
        noValidate
        className="stack"
        onSubmit={form.submit((v) => {
          setDone(null);
          if (!connect.isPending) connect.mutate(v);
        })}
      >
        <FormError problem={form.formError} />
        <TextField
          label="Site address"
          type="url"
          placeholder="https://example.com"
          autoComplete="url"
          {...form.field("siteUrl")}
        />
        <TextField label="WordPress username" autoComplete="username" {...form.field("username")} />
        <TextField
          label="Application password"
          type="password"
          autoComplete="new-password"
          hint="Looks like abcd efgh ijkl mnop qrst uvwx."
          {...form.field("applicationPassword")}
        />
        <div className="form-actions">
          <SubmitButton pending={connect.isPending} pendingLabel="Checking the site…">
            Connect WordPress
          </SubmitButton>
          <p role="status" className={done ? "status status-success" : "visually-hidden"}>
            {done}
          </p>
        </div>
      </form>
    </section>
  );
}
