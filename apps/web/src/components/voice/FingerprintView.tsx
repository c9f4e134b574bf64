/** The analysis of a profile: its state (polled by the page while pending), the description and the measured fingerprint in words. */
import type { Outputs } from "../../lib/api.ts";
import { timeAgo } from "../../lib/format.ts";
import { OfflineLabel } from "../OfflineLabel.tsx";
import { Button } from "../SubmitButton.tsx";
import styles from "./voice.module.css";
import { confidenceNote, habits, STATUS_TEXT, sentenceSummary, vocabularySummary } from "./voice-format.ts";

type Profile = Outputs["voice"]["get"];

/** An analysis pending this long has most likely lost its job (a worker that was down); offer a restart. */
const STUCK_MS = 3 * 60_000;

export function FingerprintView({
  profile,
  onAnalyze,
  analyzing,
}: {
  profile: Profile;
  onAnalyze: () => void;
  analyzing: boolean;
}) {
  const fp = profile.fingerprint;
  const note = fp ? confidenceNote(fp) : null;
  return (
    <section className={`card ${styles.analysis}`} aria-labelledby="vc-analysis-heading" aria-busy={profile.status === "pending"}>
      <div className="toolbar">
        <h2 id="vc-analysis-heading">Fingerprint</h2>
        <span
          className={`badge badge-status${profile.status === "ready" ? " badge-success" : profile.status === "failed" ? " badge-danger" : ""}`}
          role="status"
        >
          {profile.status === "pending" && <span className="spinner" aria-hidden="true" />}
          {STATUS_TEXT[profile.status]}
        </span>
      </div>
      {profile.status === "empty" && <p className="muted">Add a writing sample and Inkwell measures how you write.</p>}
      {profile.status === "pending" && (
        <p className="muted">Measuring your samples and writing a description. This page updates by itself.</p>
      )}
      {profile.status === "pending" && Date.now() - new Date(profile.updatedAt).getTime() > STUCK_MS && (
        <p>
          <Button variant="secondary" className="btn-small" pending={analyzing} pendingLabel="Starting…" onClick={onAnalyze}>
            Taking long? Start the analysis again
          </Button>
        </p>
      )}
      {profile.status === "failed" && (
        <div className={`alert alert-error ${styles.failed}`}>
          <p>
            The description could not be written{profile.error ? `: ${profile.error}` : "."}{" "}
            {fp ? "The measured features below are still used." : ""}
          </p>
          <Button variant="secondary" className="btn-small" pending={analyzing} pendingLabel="Starting…" onClick={onAnalyze}>
            Try the analysis again
          </Button>
        </div>
      )}
      {profile.description && (
        <blockquote className={styles.description}>
          <p>{profile.description}</p>
        </blockquote>
      )}
      {profile.description && <OfflineLabel />}
      {fp && (
        <div className={styles.features}>
          {note && <p className="alert alert-warning">{note}</p>}
          <ul className={styles.summary}>
            <li>{sentenceSummary(fp)}</li>
            <li>{vocabularySummary(fp)}</li>
            {fp.openings.length > 0 && (
              <li>
                Often opens with{" "}
                {fp.openings.map((o, i) => (
                  <span key={o.text}>
                    {i > 0 ? ", " : ""}“{o.text}…” <span className="muted">({o.count}×)</span>
                  </span>
                ))}
                .
              </li>
            )}
            {fp.distinctive.length > 0 && (
              <li>
                Leans on{" "}
                {fp.distinctive.map((d, i) => (
                  <span key={d.term}>
                    {i > 0 ? ", " : ""}“{d.term}”
                  </span>
                ))}
                .
              </li>
            )}
          </ul>
          <table className={styles.habits}>
            <caption className="visually-hidden">Habits per 1,000 words</caption>
            <thead>
              <tr>
                <th scope="col">Habit</th>
                <th scope="col">How often</th>
                <th scope="col" className="num">
                  Per 1,000 words
                </th>
              </tr>
            </thead>
            <tbody>
              {habits(fp).map((h) => (
                <tr key={h.label}>
                  <th scope="row">{h.label}</th>
                  <td>{h.words}</td>
                  <td className="num">{h.per1000}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className={`muted ${styles.measuredOn}`}>
            Measured on {fp.wordCount.toLocaleString("en")} words in {fp.sampleCount} sample{fp.sampleCount === 1 ? "" : "s"}
            {profile.analyzedAt ? ` · analysed ${timeAgo(profile.analyzedAt)}` : ""}.
          </p>
        </div>
      )}
      {profile.status === "ready" && (
        <p>
          <Button variant="ghost" className="btn-small" pending={analyzing} pendingLabel="Starting…" onClick={onAnalyze}>
            Analyse again
          </Button>
        </p>
      )}
    </section>
  );
}
