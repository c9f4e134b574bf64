import type { Migration } from "kysely/migration";
import * as m0001 from "./2026_11_23_0001_platform_create_roles_and_helpers.ts";
import * as m0002 from "./2026_11_23_0002_identity_create_accounts.ts";
import * as m0003 from "./2026_11_23_0003_identity_create_authenticate.ts";
import * as m0004 from "./2026_11_23_0004_credits_create_ledger.ts";
import * as m0005 from "./2026_11_23_0005_usage_create_generations.ts";
import * as m0006 from "./2026_11_23_0006_chat_create_conversations.ts";
import * as m0007 from "./2026_11_23_0007_chat_create_workspace_documents.ts";
import * as m0008 from "./2026_11_23_0008_writer_create_knowledge.ts";
import * as m0009 from "./2026_11_23_0009_files_create_stored_files.ts";
import * as m0010 from "./2026_11_23_0010_brand_create_brand_kits.ts";
import * as m0011 from "./2026_11_23_0011_voice_create_voice_profiles.ts";
import * as m0012 from "./2026_11_23_0012_writer_create_sessions.ts";
import * as m0013 from "./2026_11_23_0013_publishing_create_connections.ts";
import * as m0014 from "./2026_11_23_0014_publishing_create_posts.ts";
import * as m0015 from "./2026_11_23_0015_writer_sessions_own_voice.ts";
import * as m0016 from "./2026_11_23_0016_publishing_own_connections.ts";
import * as m0017 from "./2026_11_23_0017_writer_tune_knowledge_index.ts";
import * as m0018 from "./2026_11_23_0018_identity_add_ai_connection_settings.ts";
import * as m0019 from "./2026_11_23_0019_stories_create_campaigns.ts";
import * as m0020 from "./2026_11_23_0020_stories_create_prompts.ts";
import * as m0021 from "./2026_11_23_0021_stories_create_stories.ts";
import * as m0022 from "./2026_11_23_0022_stories_count_unicode_punctuation.ts";
import * as m0023 from "./2026_11_23_0023_stories_members_active_by_accepting.ts";
import * as m0024 from "./2026_11_23_0024_stories_bound_invitation_mails.ts";
import * as m0025 from "./2026_11_23_0025_payments_create_payments.ts";
import * as m0026 from "./2026_11_23_0026_credits_add_purchase_reclaim.ts";
import * as m0027 from "./2026_11_23_0027_payments_index_unprocessed_events.ts";
import * as m0028 from "./2026_11_23_0028_payments_user_inserts_fresh_checkouts.ts";
import * as m0032 from "./2026_11_23_0032_studio_create_viral_reels.ts";
import * as m0033 from "./2026_11_23_0033_studio_log_stats_requests.ts";
import * as m0034 from "./2026_11_23_0034_stories_primary_owner_passed_on.ts";
import * as m0035 from "./2026_11_23_0035_credits_charge_in_one_call.ts";
import * as m0036 from "./2026_11_23_0036_credits_hot_updates.ts";
import * as m0039 from "./2026_11_23_0039_writer_knowledge_search_in_one_call.ts";
import * as m0041 from "./2026_11_23_0041_stories_create_story_media.ts";
import * as m0042 from "./2026_11_23_0042_files_system_records_answer_uploads.ts";
import * as m0044 from "./2026_11_23_0044_books_create_books.ts";
import * as m0046 from "./2026_11_23_0046_books_create_book_orders.ts";
import * as m0047 from "./2026_11_23_0047_books_guard_order_status.ts";
import * as m0048 from "./2026_11_23_0048_payments_create_subscriptions.ts";
import * as m0049 from "./2026_11_23_0049_identity_add_subscription_expiry.ts";
import * as m0050 from "./2026_11_23_0050_account_create_data_exports.ts";
import * as m0051 from "./2026_11_23_0051_account_create_deletions.ts";
import * as m0052 from "./2026_11_23_0052_studio_create_assets.ts";
import * as m0053 from "./2026_11_23_0053_studio_create_model_personas.ts";
import * as m0054 from "./2026_11_23_0054_studio_link_assets_to_personas.ts";
import * as m0055 from "./2026_11_23_0055_studio_create_image_prompts.ts";
import * as m0056 from "./2026_11_23_0056_studio_create_image_generations.ts";
import * as m0057 from "./2026_11_23_0057_studio_link_image_generations.ts";
import * as m0058 from "./2026_11_23_0058_study_create_library.ts";
import * as m0059 from "./2026_11_23_0059_study_create_reviews.ts";
import * as m0060 from "./2026_11_23_0060_study_create_results.ts";
import * as m0061 from "./2026_11_23_0061_study_create_sharing.ts";
import * as m0062 from "./2026_11_23_0062_study_create_live_sessions.ts";
import * as m0063 from "./2026_11_23_0063_admin_create_config_and_feedback.ts";
import * as m0064 from "./2026_11_23_0064_identity_create_oauth_accounts.ts";
import * as m0065 from "./2026_11_23_0065_classrooms_create_roster.ts";
import * as m0066 from "./2026_11_23_0066_classrooms_teachers_read_results.ts";
import * as m0067 from "./2026_12_07_0067_credits_meter_in_one_call.ts";
import * as m0068 from "./2026_12_07_0068_notifications_follow_shares.ts";
import * as m0069 from "./2026_12_07_0069_classrooms_follow_clever_identity.ts";
import * as m0070 from "./2026_12_07_0070_files_add_media_facts.ts";
import * as m0071 from "./2026_12_07_0071_credits_charge_in_batches.ts";

/** Forward-only, applied in name order. A static list (not a folder scan) so bundlers and tests agree. */
export const migrations: Record<string, Migration> = {
  "2026_11_23_0001_platform_create_roles_and_helpers": m0001,
  "2026_11_23_0002_identity_create_accounts": m0002,
  "2026_11_23_0003_identity_create_authenticate": m0003,
  "2026_11_23_0004_credits_create_ledger": m0004,
  "2026_11_23_0005_usage_create_generations": m0005,
  "2026_11_23_0006_chat_create_conversations": m0006,
  "2026_11_23_0007_chat_create_workspace_documents": m0007,
  "2026_11_23_0008_writer_create_knowledge": m0008,
  "2026_11_23_0009_files_create_stored_files": m0009,
  "2026_11_23_0010_brand_create_brand_kits": m0010,
  "2026_11_23_0011_voice_create_voice_profiles": m0011,
  "2026_11_23_0012_writer_create_sessions": m0012,
  "2026_11_23_0013_publishing_create_connections": m0013,
  "2026_11_23_0014_publishing_create_posts": m0014,
  "2026_11_23_0015_writer_sessions_own_voice": m0015,
  "2026_11_23_0016_publishing_own_connections": m0016,
  "2026_11_23_0017_writer_tune_knowledge_index": m0017,
  "2026_11_23_0018_identity_add_ai_connection_settings": m0018,
  "2026_11_23_0019_stories_create_campaigns": m0019,
  "2026_11_23_0020_stories_create_prompts": m0020,
  "2026_11_23_0021_stories_create_stories": m0021,
  "2026_11_23_0022_stories_count_unicode_punctuation": m0022,
  "2026_11_23_0023_stories_members_active_by_accepting": m0023,
  "2026_11_23_0024_stories_bound_invitation_mails": m0024,
  "2026_11_23_0025_payments_create_payments": m0025,
  "2026_11_23_0026_credits_add_purchase_reclaim": m0026,
  "2026_11_23_0027_payments_index_unprocessed_events": m0027,
  "2026_11_23_0028_payments_user_inserts_fresh_checkouts": m0028,
  "2026_11_23_0032_studio_create_viral_reels": m0032,
  "2026_11_23_0033_studio_log_stats_requests": m0033,
  "2026_11_23_0034_stories_primary_owner_passed_on": m0034,
  "2026_11_23_0035_credits_charge_in_one_call": m0035,
  "2026_11_23_0036_credits_hot_updates": m0036,
  "2026_11_23_0039_writer_knowledge_search_in_one_call": m0039,
  "2026_11_23_0041_stories_create_story_media": m0041,
  "2026_11_23_0042_files_system_records_answer_uploads": m0042,
  "2026_11_23_0044_books_create_books": m0044,
  "2026_11_23_0046_books_create_book_orders": m0046,
  "2026_11_23_0047_books_guard_order_status": m0047,
  "2026_11_23_0048_payments_create_subscriptions": m0048,
  "2026_11_23_0049_identity_add_subscription_expiry": m0049,
  "2026_11_23_0050_account_create_data_exports": m0050,
  "2026_11_23_0051_account_create_deletions": m0051,
  "2026_11_23_0052_studio_create_assets": m0052,
  "2026_11_23_0053_studio_create_model_personas": m0053,
  "2026_11_23_0054_studio_link_assets_to_personas": m0054,
  "2026_11_23_0055_studio_create_image_prompts": m0055,
  "2026_11_23_0056_studio_create_image_generations": m0056,
  "2026_11_23_0057_studio_link_image_generations": m0057,
  "2026_11_23_0058_study_create_library": m0058,
  "2026_11_23_0059_study_create_reviews": m0059,
  "2026_11_23_0060_study_create_results": m0060,
  "2026_11_23_0061_study_create_sharing": m0061,
  "2026_11_23_0062_study_create_live_sessions": m0062,
  "2026_11_23_0063_admin_create_config_and_feedback": m0063,
  "2026_11_23_0064_identity_create_oauth_accounts": m0064,
  "2026_11_23_0065_classrooms_create_roster": m0065,
  "2026_11_23_0066_classrooms_teachers_read_results": m0066,
  "2026_12_07_0067_credits_meter_in_one_call": m0067,
  "2026_12_07_0068_notifications_follow_shares": m0068,
  "2026_12_07_0069_classrooms_follow_clever_identity": m0069,
  "2026_12_07_0070_files_add_media_facts": m0070,
  "2026_12_07_0071_credits_charge_in_batches": m0071,
};
