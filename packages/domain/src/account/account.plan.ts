/**
 * What "your data" means, table by table. Every table with a `user_id` column must have a decision here:
 * exported (minus the columns named, with the reason) or left out (with the reason). The export job
 * reads the catalog, so a table added later without a decision fails the account tests instead of
 * silently missing from everyone's export. Tables without a `user_id` column that a user still owns
 * (through a parent they own) are listed in `OWNED_THROUGH_PARENT`.
 */

export type TableDecision = { export: true; omit?: Record<string, string>; note?: string } | { export: false; reason: string };

const secret = "a hash or sealed secret: useless to you and a risk if the zip leaks";
const derived = "a search or embedding index derived from the text that is exported";

export const TABLE_DECISIONS: Record<string, TableDecision> = {
  // identity
  profiles: { export: true },
  sessions: { export: true, omit: { token_hash: secret } },
  user_api_keys: { export: true, omit: { ciphertext: secret, key_id: "which of our encryption keys sealed it" } },
  user_tokens: { export: false, reason: "single-use e-mail link hashes (verification, reset); they expire within days" },
  // sign-in with other accounts: which Clever or Google account signs you in (Clever's tokens, kept
  // for the roster sync, are sealed secrets and stay out)
  oauth_accounts: {
    export: true,
    omit: {
      access_token_sealed: secret,
      refresh_token_sealed: secret,
      token_key_id: "which of our encryption keys sealed it",
    },
  },
  // credits, usage, payments
  credit_accounts: { export: true },
  credit_grants: { export: true },
  credit_holds: { export: true },
  credit_ledger: { export: true },
  generations: { export: true },
  generation_rate_limits: { export: false, reason: "rate-limit counters of the last minutes, pruned every 10 minutes" },
  payments: { export: true },
  subscriptions: { export: true },
  subscription_invoices: { export: true },
  notifications: { export: true },
  // chat, writer, knowledge, voice, brand
  conversations: { export: true },
  messages: { export: true },
  workspace_documents: { export: true },
  document_chunks: { export: true, omit: { embedding: derived } },
  knowledge_entries: { export: true, omit: { embedding: derived, search_tsv: derived } },
  writer_sessions: { export: true, omit: { search_tsv: derived } },
  writer_messages: { export: true },
  writer_outputs: { export: true },
  writer_output_versions: { export: true },
  writer_projects: { export: true },
  voice_profiles: { export: true },
  voice_samples: { export: true },
  brand_kits: { export: true },
  // files (their bytes are in the zip's files/ folder)
  stored_files: { export: true, omit: { storage_key: "where the bytes live in our storage" } },
  // publishing
  social_connections: {
    export: true,
    omit: {
      access_token_sealed: secret,
      refresh_token_sealed: secret,
      app_password_sealed: secret,
      refresh_lease_id: "an internal lock",
    },
  },
  oauth_states: { export: false, reason: "ten-minute sign-in handshakes holding a sealed verifier" },
  scheduled_posts: { export: true, omit: { claim_token: "an internal lock" } },
  post_attempts: { export: true },
  // studio
  viral_reels: { export: true },
  viral_reel_stats_requests: { export: true },
  studio_assets: { export: true },
  model_personas: { export: true },
  image_prompts: { export: true },
  image_generations: { export: true, omit: { submit_key: "an internal idempotency key" } },
  // study
  study_folders: { export: true },
  study_items: { export: true },
  // live quizzes you hosted (their players have no account; their rows are the session's)
  live_sessions: { export: true },
  study_card_states: { export: true },
  study_review_logs: { export: true },
  flashcard_results: { export: true },
  quiz_results: { export: true },
  writing_results: { export: true },
  // links you made (the tokens themselves were never stored; their hashes stay out)
  shared_quizzes: { export: true, omit: { token_hash: secret } },
  shared_materials: { export: true, omit: { token_hash: secret } },
  // classrooms: your Clever identity (role, school, last roster sync) and, as a student, your rows on
  // teachers' Clever rosters (the classrooms you teach are keyed by teacher_id and are the district's roster)
  clever_accounts: { export: true },
  classroom_students: { export: true },
  // feedback: what you reported; the staff's notes on it are theirs
  // (admin_notes is not among the columns the user role may read, so the export, run as you, never sees it)
  bug_reports: { export: true, note: "without our staff's notes on it" },
  user_feedback: { export: true, note: "without our staff's notes on it" },
  // stories: your campaigns, and what you wrote in any campaign
  campaigns: { export: true },
  family_members: { export: true, omit: { invite_token_hash: secret } },
  stories: { export: true, omit: { search: derived } },
  story_comments: { export: true },
  story_reactions: { export: true },
  story_photos: { export: true },
  story_audio: { export: true },
  books: { export: true },
  book_orders: { export: true },
  // account
  data_exports: { export: true },
  account_deletions: { export: true },
};

/**
 * Rows without a `user_id` that belong to the user through a parent row they own (filtered by the
 * parent's owner, so a co-owner's campaign is not exported twice or to the wrong person).
 */
export const OWNED_THROUGH_PARENT: Record<string, { column: string; parent: string }> = {
  campaign_prompts: { column: "campaign_id", parent: "campaigns" },
  shared_quiz_attempts: { column: "shared_quiz_id", parent: "shared_quizzes" },
};

/**
 * Not exported although related: `payment_events` (Stripe's raw webhook payloads, readable only by the
 * system role; what they did is in `payments`) and `campaign_prompt_links` (hashes of the storyteller's
 * private answer links).
 */

/** The account row itself, keyed by `id`. */
export const USERS_OMIT: Record<string, string> = { password_hash: secret };

/** Tables whose decision is missing, given the catalog's tables with a `user_id` column. */
export function undecidedTables(catalogTables: readonly string[]): string[] {
  return catalogTables.filter((t) => !(t in TABLE_DECISIONS)).sort();
}
