/**
 * Live quiz sessions (issue 15 item 5): a host runs a quiz from the library; players join by code with a
 * nickname, without an account, and answer together; points by speed; a leaderboard after each question.
 *
 * Files: `live.host.ts` (the host's calls), `live.player.ts` (the players'), `live.shared.ts` (rules, channels,
 *   `follow`); this file is the module's one entry to them (`live.*` in the study API).
 *
 * Who runs what:
 * - The host's calls run in the host's RLS transaction (`asUser`, or the request's). Those that change the
 *   session open their own transaction here so the live notice goes out after the commit.
 * - Players have no user: their calls run as the system role, and every statement is scoped by the
 *   session id and the SHA-256 of the player's token (a token of another session finds nothing).
 *
 * Live updates: each change sends a notice on the generation bus (in this process at once, to other API
 * processes through NOTIFY at commit). A notice carries nothing but "changed": every view re-reads the
 * database, which stays the only source of truth. Two channels per session: the host's hears everything
 * (joins, answers), the players' only what the host does, so 200 answers do not make 200 players' views
 * re-read 200 times. Where notices from other processes do not arrive (the embedded database) views also
 * re-read on a short timer.
 */
export { create, type Expect, end, get, invite, kick, list, next, start, watch } from "./live.host.ts";
export { answer, JOINS_PER_MINUTE, join, leave, play, state } from "./live.player.ts";
export {
  type FollowOptions,
  follow,
  hostChannel,
  type LiveDeps,
  newCode,
  playChannel,
  pointsFor,
  snapshotQuiz,
} from "./live.shared.ts";
