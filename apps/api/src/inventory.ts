/**
 * Every procedure, classified. A test fails when a procedure is missing here or its access does not
 * match how it is built, and a generic sweep calls every procedure that takes an owned row's id as
 * another user (expecting NOT_FOUND and the owner's row unchanged). Adding a procedure means adding a
 * line here; adding an id-bearing one means saying which table the id points into and how to make a
 * row of it (`fixtures`), and the sweep then covers it with no new test code.
 */
import { asUser, type Database } from "@inkwell/db";
import { insertFixtureBookOrder } from "@inkwell/domain/books/testing";
import { insertFixtureOAuthAccount } from "@inkwell/domain/classrooms/testing";
import { insertFixtureConnection } from "@inkwell/domain/connections/testing";
import { knowledge } from "@inkwell/domain/knowledge";
import { notifications } from "@inkwell/domain/notifications";
import { insertFixturePayment } from "@inkwell/domain/payments/testing";
import { insertFixtureStoryMedia } from "@inkwell/domain/stories/testing";
import { insertFixtureAsset } from "@inkwell/domain/studio/testing";
import type { createCaller } from "./router.ts";
import type { Access } from "./trpc/init.ts";

type Caller = ReturnType<typeof createCaller>;

export interface OwnedIdSpec {
  /** Table the id points into; its rows are owned through `user_id`. */
  table: string;
  /** The input to send, given the id of a row that belongs to someone else. */
  input(foreignId: string): unknown;
  /** For a read of one kind of row (a quiz among study items): the owner's read uses the first row with these column values. */
  ownerRow?: Record<string, unknown>;
}

const ORDER_FIXTURE = {
  options: { size: "6x9", binding: "paperback", paper: "standard" },
  quantity: 1,
  shippingLevel: "MAIL",
} as const;
const ADDRESS_FIXTURE = {
  name: "Fixture Person",
  street1: "1 Main St",
  city: "Springfield",
  stateCode: "IL",
  postcode: "62701",
  countryCode: "US",
  phone: "+1 555 0100",
};

export interface InventoryEntry {
  access: Access;
  owned?: OwnedIdSpec;
}

export const inventory: Record<string, InventoryEntry> = {
  "system.info": { access: "public" },
  "system.announcements": { access: "public" },
  "auth.signUp": { access: "public" },
  "auth.signIn": { access: "public" },
  "auth.me": { access: "public" },
  "auth.verifyEmail": { access: "public" },
  "auth.requestPasswordReset": { access: "public" },
  "auth.resetPassword": { access: "public" },
  "auth.signOut": { access: "user" },
  "auth.signOutEverywhere": { access: "user" },
  "auth.resendVerification": { access: "user" },
  "auth.changePassword": { access: "user" },
  "profile.get": { access: "user" },
  "profile.update": { access: "user" },
  "sessions.list": { access: "user" },
  "sessions.revoke": { access: "user", owned: { table: "sessions", input: (id) => ({ id }) } },
  "apiKeys.list": { access: "user" },
  "apiKeys.save": { access: "user" },
  "apiKeys.testConnection": { access: "user" },
  "apiKeys.delete": { access: "user", owned: { table: "user_api_keys", input: (id) => ({ id }) } },
  "admin.listUsers": { access: "admin" },
  "admin.setSubscriptionTier": { access: "admin" },
  "admin.config.get": { access: "admin" },
  "admin.config.set": { access: "admin" },
  "admin.announcements.list": { access: "admin" },
  "admin.announcements.create": { access: "admin" },
  "admin.announcements.update": { access: "admin" },
  "admin.announcements.delete": { access: "admin" },
  "admin.users.search": { access: "admin" },
  "admin.users.setTier": { access: "admin" },
  "admin.users.grantCredits": { access: "admin" },
  "admin.users.detail": { access: "admin" },
  "admin.dashboard.overview": { access: "admin" },
  "admin.dashboard.openFeedback": { access: "admin" },
  "admin.queues.depths": { access: "admin" },
  "admin.queues.failed": { access: "admin" },
  "admin.queues.retry": { access: "admin" },
  "admin.credits.reconcile": { access: "admin" },
  "admin.feedback.bugReports": { access: "admin" },
  "admin.feedback.feedback": { access: "admin" },
  "admin.feedback.updateBugReport": { access: "admin" },
  "admin.feedback.updateFeedback": { access: "admin" },
  "feedback.status": { access: "public" },
  "feedback.submitBugReport": { access: "user" },
  "feedback.submitFeedback": { access: "user" },
  "feedback.mine": { access: "user" },
  "signInAccounts.list": { access: "user" },
  "signInAccounts.unlink": { access: "user", owned: { table: "oauth_accounts", input: (id) => ({ id }) } },
  // Classrooms are owned through teacher_id (not user_id): classrooms.test.ts walks them across users.
  "classrooms.list": { access: "user" },
  "classrooms.get": { access: "user" },
  "classrooms.sync": { access: "user" },
  "classrooms.assign": { access: "user" },
  "classrooms.unassign": { access: "user" },
  "classrooms.myAssignments": { access: "user" },
  "classrooms.results": { access: "user" },
  "credits.balance": { access: "user" },
  "credits.history": { access: "user" },
  "credits.prices": { access: "public" },
  "credits.adminGrant": { access: "admin" },
  "credits.adminReconcile": { access: "admin" },
  "usage.generations": { access: "user" },
  "usage.ownKeyOperations": { access: "user" },
  "usage.adminSummary": { access: "admin" },
  "notifications.list": { access: "user" },
  "notifications.markRead": { access: "user", owned: { table: "notifications", input: (id) => ({ id }) } },
  "notifications.unreadCount": { access: "user" },
  "notifications.markAllRead": { access: "user" },
  "chat.create": { access: "user" },
  "chat.list": { access: "user" },
  "chat.get": { access: "user", owned: { table: "conversations", input: (id) => ({ conversationId: id }) } },
  "chat.rename": {
    access: "user",
    owned: { table: "conversations", input: (id) => ({ conversationId: id, title: "Mine now" }) },
  },
  "chat.saveDraft": { access: "user", owned: { table: "conversations", input: (id) => ({ conversationId: id, draft: "x" }) } },
  "chat.delete": { access: "user", owned: { table: "conversations", input: (id) => ({ conversationId: id }) } },
  "chat.send": {
    access: "user",
    owned: { table: "conversations", input: (id) => ({ conversationId: id, content: "hello", idempotencyKey: `sweep-${id}` }) },
  },
  "chat.regenerate": { access: "user", owned: { table: "conversations", input: (id) => ({ conversationId: id }) } },
  "chat.editLast": {
    access: "user",
    owned: { table: "conversations", input: (id) => ({ conversationId: id, content: "edited" }) },
  },
  "chat.stop": { access: "user", owned: { table: "messages", input: (id) => ({ messageId: id }) } },
  "chat.feedback": { access: "user", owned: { table: "messages", input: (id) => ({ messageId: id, feedback: -1 }) } },
  "chat.stream": { access: "user", owned: { table: "messages", input: (id) => ({ messageId: id }) } },
  "chat.addDocument": {
    access: "user",
    owned: { table: "conversations", input: (id) => ({ title: "Mine", kind: "note", content: "text", conversationId: id }) },
  },
  "chat.documents": { access: "user" },
  "chat.deleteDocument": { access: "user", owned: { table: "workspace_documents", input: (id) => ({ documentId: id }) } },
  "writer.knowledge.create": { access: "user" },
  "writer.knowledge.update": {
    access: "user",
    owned: { table: "knowledge_entries", input: (id) => ({ id, title: "Mine now", content: "Overwritten" }) },
  },
  "writer.knowledge.delete": { access: "user", owned: { table: "knowledge_entries", input: (id) => ({ id }) } },
  "writer.knowledge.list": { access: "user" },
  "writer.knowledge.search": { access: "user" },
  "writer.sessions.create": { access: "user" },
  "writer.sessions.list": { access: "user" },
  "writer.sessions.get": { access: "user", owned: { table: "writer_sessions", input: (id) => ({ sessionId: id }) } },
  "writer.sessions.rename": {
    access: "user",
    owned: { table: "writer_sessions", input: (id) => ({ sessionId: id, title: "Mine now" }) },
  },
  "writer.sessions.delete": { access: "user", owned: { table: "writer_sessions", input: (id) => ({ sessionId: id }) } },
  "writer.sessions.iterate": {
    access: "user",
    owned: {
      table: "writer_sessions",
      input: (id) => ({ sessionId: id, instruction: "Make it shorter", idempotencyKey: `sweep-${id}` }),
    },
  },
  "writer.sessions.stream": { access: "user", owned: { table: "writer_sessions", input: (id) => ({ sessionId: id }) } },
  "writer.sessions.editOutput": {
    access: "user",
    owned: { table: "writer_outputs", input: (id) => ({ outputId: id, content: "Overwritten" }) },
  },
  "writer.sessions.versions": { access: "user", owned: { table: "writer_outputs", input: (id) => ({ outputId: id }) } },
  "writer.sessions.output": { access: "user", owned: { table: "writer_outputs", input: (id) => ({ outputId: id }) } },
  "writer.sessions.restoreVersion": {
    access: "user",
    owned: { table: "writer_output_versions", input: (id) => ({ versionId: id }) },
  },
  "writer.projects.pin": {
    access: "user",
    owned: { table: "writer_sessions", input: (id) => ({ sessionId: id, name: "Mine now" }) },
  },
  "writer.projects.list": { access: "user" },
  "writer.projects.update": {
    access: "user",
    owned: { table: "writer_projects", input: (id) => ({ projectId: id, name: "Mine now" }) },
  },
  "writer.projects.unpin": { access: "user", owned: { table: "writer_projects", input: (id) => ({ projectId: id }) } },
  "publishing.connections.list": { access: "user" },
  "publishing.connections.startOAuth": {
    access: "user",
    owned: { table: "social_connections", input: (id) => ({ platform: "x", reconnectId: id }) },
  },
  "publishing.connections.connectWordPress": { access: "user" },
  "publishing.connections.disconnect": {
    access: "user",
    owned: { table: "social_connections", input: (id) => ({ connectionId: id }) },
  },
  "publishing.posts.compose": {
    access: "user",
    owned: {
      table: "social_connections",
      input: (id) => ({
        channels: [{ connectionId: id, parts: ["Mine now"] }],
        when: { kind: "draft" },
        idempotencyKey: `sweep-${id}`,
      }),
    },
  },
  "publishing.posts.uploadMedia": { access: "user" },
  "publishing.posts.list": { access: "user" },
  "publishing.posts.get": { access: "user", owned: { table: "scheduled_posts", input: (id) => ({ postId: id }) } },
  "publishing.posts.update": {
    access: "user",
    owned: { table: "scheduled_posts", input: (id) => ({ postId: id, parts: ["Overwritten"] }) },
  },
  "publishing.posts.cancel": { access: "user", owned: { table: "scheduled_posts", input: (id) => ({ postId: id }) } },
  "publishing.posts.publishNow": { access: "user", owned: { table: "scheduled_posts", input: (id) => ({ postId: id }) } },
  "publishing.posts.retry": { access: "user", owned: { table: "scheduled_posts", input: (id) => ({ postId: id }) } },
  "brand.get": { access: "user" },
  // The logo id must be one of the caller's own uploads.
  "brand.save": { access: "user", owned: { table: "stored_files", input: (id) => ({ logoFileId: id }) } },
  "brand.uploadLogo": { access: "user" },
  "brand.removeLogo": { access: "user" },
  "voice.list": { access: "user" },
  "voice.get": { access: "user", owned: { table: "voice_profiles", input: (id) => ({ profileId: id }) } },
  "voice.create": { access: "user" },
  "voice.update": {
    access: "user",
    owned: { table: "voice_profiles", input: (id) => ({ profileId: id, name: "Mine now", bannedPhrases: ["x"] }) },
  },
  "voice.delete": { access: "user", owned: { table: "voice_profiles", input: (id) => ({ profileId: id }) } },
  "voice.addSample": {
    access: "user",
    owned: {
      table: "voice_profiles",
      input: (id) => ({ profileId: id, source: "paste", content: "An intruder's sample text, long enough." }),
    },
  },
  "voice.removeSample": { access: "user", owned: { table: "voice_samples", input: (id) => ({ sampleId: id }) } },
  "voice.analyze": { access: "user", owned: { table: "voice_profiles", input: (id) => ({ profileId: id }) } },
  "voice.setDefault": { access: "user", owned: { table: "voice_profiles", input: (id) => ({ profileId: id }) } },
  "payments.packs": { access: "public" },
  "payments.buyPack": { access: "user" },
  "payments.get": { access: "user", owned: { table: "payments", input: (id) => ({ paymentId: id }) } },
  "payments.list": { access: "user" },
  "payments.adminRefund": { access: "admin" },
  "payments.plans": { access: "public" },
  "payments.billing": { access: "user" },
  "payments.subscribe": { access: "user" },
  "payments.changePlan": { access: "user" },
  "payments.cancelSubscription": { access: "user" },
  "payments.resumeSubscription": { access: "user" },
  "payments.sandboxRenewNow": { access: "user" },
  "payments.sandboxFailNextRenewal": { access: "user" },
  // Stories: prompt ids (campaign_prompts has no user_id) are swept by apps/api/test/stories-roles.test.ts.
  "stories.campaigns.list": { access: "user" },
  "stories.campaigns.create": { access: "user" },
  "stories.campaigns.get": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.campaigns.dashboard": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.campaigns.update": {
    access: "user",
    owned: { table: "campaigns", input: (id) => ({ campaignId: id, title: "Mine now" }) },
  },
  "stories.campaigns.delete": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.family.list": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.family.invite": {
    access: "user",
    owned: { table: "campaigns", input: (id) => ({ campaignId: id, email: "intruder-friend@example.test" }) },
  },
  "stories.family.changeRole": {
    access: "user",
    owned: { table: "family_members", input: (id) => ({ memberId: id, role: "viewer" }) },
  },
  "stories.family.remove": { access: "user", owned: { table: "family_members", input: (id) => ({ memberId: id }) } },
  "stories.family.leave": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.family.invitation": { access: "public" },
  "stories.family.accept": { access: "user" },
  "stories.prompts.library": { access: "public" },
  "stories.prompts.list": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.prompts.add": {
    access: "user",
    owned: { table: "campaigns", input: (id) => ({ campaignId: id, question: "What is your secret, intruder?" }) },
  },
  "stories.prompts.remove": { access: "user" },
  "stories.prompts.move": { access: "user" },
  "stories.prompts.revoke": { access: "user" },
  "stories.prompts.resend": { access: "user" },
  "stories.prompts.setSchedule": {
    access: "user",
    owned: { table: "campaigns", input: (id) => ({ campaignId: id, schedule: null }) },
  },
  "stories.prompts.sendNow": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.answers.get": { access: "public" },
  "stories.answers.submit": { access: "public" },
  "stories.list": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "stories.get": { access: "user", owned: { table: "stories", input: (id) => ({ storyId: id }) } },
  "stories.create": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id, title: "Mine now" }) } },
  "stories.update": { access: "user", owned: { table: "stories", input: (id) => ({ storyId: id, content: "Overwritten" }) } },
  "stories.delete": { access: "user", owned: { table: "stories", input: (id) => ({ storyId: id }) } },
  "stories.addComment": { access: "user", owned: { table: "stories", input: (id) => ({ storyId: id, body: "Intruding" }) } },
  "stories.deleteComment": { access: "user", owned: { table: "story_comments", input: (id) => ({ commentId: id }) } },
  "stories.react": { access: "user", owned: { table: "stories", input: (id) => ({ storyId: id, reaction: "heart", on: true }) } },
  // Stories media: the owned-id sweep covers the photo and recording ids; roles are tested in stories-media.test.ts.
  "storiesMedia.list": { access: "user", owned: { table: "stories", input: (id) => ({ storyId: id }) } },
  "storiesMedia.attachPhoto": { access: "user" },
  "storiesMedia.attachAudio": { access: "user" },
  "storiesMedia.setCaption": {
    access: "user",
    owned: { table: "story_photos", input: (id) => ({ photoId: id, caption: "Mine now" }) },
  },
  "storiesMedia.reorderPhotos": { access: "user" },
  "storiesMedia.removePhoto": { access: "user", owned: { table: "story_photos", input: (id) => ({ photoId: id }) } },
  "storiesMedia.removeAudio": { access: "user", owned: { table: "story_audio", input: (id) => ({ audioId: id }) } },
  "storiesMedia.editTranscript": {
    access: "user",
    owned: { table: "story_audio", input: (id) => ({ audioId: id, transcript: "Overwritten" }) },
  },
  "storiesMedia.answerAttach": { access: "public" },
  "books.list": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "books.sources": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id }) } },
  "books.get": { access: "user", owned: { table: "books", input: (id) => ({ bookId: id }) } },
  "books.create": { access: "user", owned: { table: "campaigns", input: (id) => ({ campaignId: id, title: "Mine now" }) } },
  "books.update": {
    access: "user",
    owned: { table: "books", input: (id) => ({ bookId: id, title: "Mine now", template: "modern", storyIds: [] }) },
  },
  "books.render": { access: "user", owned: { table: "books", input: (id) => ({ bookId: id }) } },
  "books.approve": { access: "user", owned: { table: "books", input: (id) => ({ bookId: id }) } },
  "books.delete": { access: "user", owned: { table: "books", input: (id) => ({ bookId: id }) } },
  "bookOrders.options": { access: "public" },
  "bookOrders.quote": { access: "user", owned: { table: "books", input: (id) => ({ bookId: id, ...ORDER_FIXTURE }) } },
  "bookOrders.create": {
    access: "user",
    owned: { table: "books", input: (id) => ({ bookId: id, ...ORDER_FIXTURE, shippingAddress: ADDRESS_FIXTURE }) },
  },
  "bookOrders.pay": { access: "user", owned: { table: "book_orders", input: (id) => ({ orderId: id }) } },
  "bookOrders.get": { access: "user", owned: { table: "book_orders", input: (id) => ({ orderId: id }) } },
  "bookOrders.list": { access: "user" },
  "account.exports.list": { access: "user" },
  "account.exports.request": { access: "user" },
  "account.deletion": { access: "user" },
  "account.delete": { access: "user" },
  "stories.followUp.suggest": {
    access: "user",
    owned: { table: "stories", input: (id) => ({ storyId: id, idempotencyKey: `sweep-${id}` }) },
  },
  "stories.followUp.ask": {
    access: "user",
    owned: { table: "stories", input: (id) => ({ storyId: id, question: "Tell us more about that day?" }) },
  },
  "studio.generations.create": { access: "user" },
  "studio.generations.list": { access: "user" },
  "studio.generations.get": { access: "user", owned: { table: "image_generations", input: (id) => ({ generationId: id }) } },
  "studio.generations.cancel": { access: "user", owned: { table: "image_generations", input: (id) => ({ generationId: id }) } },
  "studio.generations.saveAsAsset": {
    access: "user",
    owned: { table: "image_generations", input: (id) => ({ generationId: id, index: 0 }) },
  },
  "studio.generations.toPost": {
    access: "user",
    owned: { table: "image_generations", input: (id) => ({ generationId: id, index: 0 }) },
  },
  "studio.generations.watch": { access: "user" },
  "studio.assets.attach": { access: "user", owned: { table: "stored_files", input: (id) => ({ fileId: id }) } },
  "studio.assets.list": { access: "user" },
  "studio.assets.get": { access: "user", owned: { table: "studio_assets", input: (id) => ({ assetId: id }) } },
  "studio.assets.update": {
    access: "user",
    owned: { table: "studio_assets", input: (id) => ({ assetId: id, filename: "Mine now", tags: ["mine"], isFavorite: true }) },
  },
  "studio.assets.bulk": { access: "user" },
  "studio.assets.delete": { access: "user", owned: { table: "studio_assets", input: (id) => ({ assetId: id }) } },
  "studio.reels.list": { access: "user" },
  "studio.reels.get": { access: "user", owned: { table: "viral_reels", input: (id) => ({ reelId: id }) } },
  "studio.reels.save": { access: "user" },
  "studio.reels.update": {
    access: "user",
    owned: { table: "viral_reels", input: (id) => ({ reelId: id, notes: "Mine now", isFavorite: true, status: "denied" }) },
  },
  "studio.reels.refresh": { access: "user", owned: { table: "viral_reels", input: (id) => ({ reelId: id }) } },
  "studio.reels.delete": { access: "user", owned: { table: "viral_reels", input: (id) => ({ reelId: id }) } },
  "studio.prompts.fromImage": {
    access: "user",
    owned: { table: "studio_assets", input: (id) => ({ assetId: id, idempotencyKey: "fixture-prompts-key" }) },
  },
  "studio.prompts.list": { access: "user" },
  "studio.prompts.create": { access: "user" },
  "studio.prompts.update": {
    access: "user",
    owned: { table: "image_prompts", input: (id) => ({ promptId: id, promptText: "Mine now", variationLabel: "Mine" }) },
  },
  "studio.prompts.delete": { access: "user", owned: { table: "image_prompts", input: (id) => ({ promptId: id }) } },
  "studio.personas.list": { access: "user" },
  "studio.personas.get": { access: "user", owned: { table: "model_personas", input: (id) => ({ personaId: id }) } },
  "studio.personas.create": { access: "user" },
  "studio.personas.update": {
    access: "user",
    owned: { table: "model_personas", input: (id) => ({ personaId: id, name: "Mine now" }) },
  },
  "studio.personas.setActive": {
    access: "user",
    owned: { table: "model_personas", input: (id) => ({ personaId: id, isActive: false }) },
  },
  "studio.personas.delete": { access: "user", owned: { table: "model_personas", input: (id) => ({ personaId: id }) } },
  "studio.personas.voices": { access: "user" },
  "studio.personas.previewVoice": { access: "user", owned: { table: "model_personas", input: (id) => ({ personaId: id }) } },
  "studio.personas.readAloud": {
    access: "user",
    owned: {
      table: "model_personas",
      input: (id) => ({ personaId: id, writerOutputId: "00000000-0000-4000-8000-000000000000" }),
    },
  },
  "study.library.folders.list": { access: "user" },
  "study.library.folders.create": { access: "user" },
  "study.library.folders.rename": {
    access: "user",
    owned: { table: "study_folders", input: (id) => ({ folderId: id, name: "Mine now" }) },
  },
  "study.library.folders.delete": { access: "user", owned: { table: "study_folders", input: (id) => ({ folderId: id }) } },
  "study.library.items.list": { access: "user" },
  "study.library.items.get": { access: "user", owned: { table: "study_items", input: (id) => ({ itemId: id }) } },
  "study.library.items.create": {
    access: "user",
    owned: {
      table: "study_folders",
      input: (id) => ({ itemType: "flashcard", title: "Into your folder", content: FLASHCARDS_FIXTURE, folderId: id }),
    },
  },
  "study.library.items.update": {
    access: "user",
    owned: { table: "study_items", input: (id) => ({ itemId: id, title: "Mine now", content: FLASHCARDS_FIXTURE }) },
  },
  "study.library.items.delete": { access: "user", owned: { table: "study_items", input: (id) => ({ itemId: id }) } },
  "study.review.due": {
    access: "user",
    owned: { table: "study_items", input: (id) => ({ limit: 10, itemId: id }), ownerRow: { item_type: "flashcard" } },
  },
  "study.review.rate": {
    access: "user",
    owned: {
      table: "study_items",
      input: (id) => ({
        itemId: id,
        cardId: "c-1",
        rating: 3,
        durationMs: 1000,
        sessionId: "00000000-0000-4000-8000-000000000001",
      }),
    },
  },
  "study.review.finishSession": { access: "user" },
  "study.review.stats": {
    access: "user",
    owned: { table: "study_items", input: (id) => ({ itemId: id }), ownerRow: { item_type: "flashcard" } },
  },
  "study.library.generate": {
    access: "user",
    owned: { table: "study_folders", input: (id) => ({ itemType: "quiz", topic: "Fixture topic", folderId: id }) },
  },
  "study.sharing.shareQuiz": {
    access: "user",
    owned: { table: "study_items", input: (id) => ({ itemId: id, expiresIn: "7d" }) },
  },
  "study.sharing.quizLinks": { access: "user" },
  "study.sharing.revokeQuizLink": {
    access: "user",
    owned: { table: "shared_quizzes", input: (id) => ({ sharedQuizId: id }) },
  },
  "study.sharing.openQuiz": { access: "public" },
  "study.sharing.submitQuiz": { access: "public" },
  "study.sharing.shareWithUser": {
    access: "user",
    owned: { table: "study_items", input: (id) => ({ itemId: id, email: "nobody@example.test" }) },
  },
  "study.sharing.shareByLink": { access: "user", owned: { table: "study_items", input: (id) => ({ itemId: id }) } },
  "study.sharing.revokeShare": { access: "user", owned: { table: "shared_materials", input: (id) => ({ shareId: id }) } },
  "study.sharing.shares": { access: "user", owned: { table: "study_items", input: (id) => ({ itemId: id }) } },
  "study.sharing.sharedWithMe": { access: "user" },
  "study.sharing.viewMaterial": { access: "public" },
  "study.quiz.open": {
    access: "user",
    owned: { table: "study_items", input: (id) => ({ itemId: id }), ownerRow: { item_type: "quiz" } },
  },
  "study.quiz.submit": {
    access: "user",
    owned: { table: "study_items", input: (id) => ({ itemId: id, attemptKey: "fixture-attempt-quiz", answers: [] }) },
  },
  "study.writing.submit": {
    access: "user",
    owned: {
      table: "study_items",
      input: (id) => ({ itemId: id, attemptKey: "fixture-attempt-writing", responses: [{ promptId: "p1", text: "Mine" }] }),
    },
  },
  "study.results.list": { access: "user" },
  "study.results.get": { access: "user", owned: { table: "quiz_results", input: (id) => ({ kind: "quiz", resultId: id }) } },
  "study.results.summary": { access: "user" },
  // Live sessions: the host's procedures are the user's; players' are public, authenticated by their token.
  "study.live.create": { access: "user", owned: { table: "study_items", input: (id) => ({ itemId: id }) } },
  "study.live.list": { access: "user" },
  "study.live.get": { access: "user", owned: { table: "live_sessions", input: (id) => ({ sessionId: id }) } },
  "study.live.start": { access: "user", owned: { table: "live_sessions", input: (id) => ({ sessionId: id }) } },
  "study.live.next": { access: "user", owned: { table: "live_sessions", input: (id) => ({ sessionId: id }) } },
  "study.live.end": { access: "user", owned: { table: "live_sessions", input: (id) => ({ sessionId: id }) } },
  "study.live.kick": {
    access: "user",
    owned: { table: "live_sessions", input: (id) => ({ sessionId: id, playerId: "00000000-0000-4000-8000-000000000000" }) },
  },
  "study.live.invite": {
    access: "user",
    owned: { table: "live_sessions", input: (id) => ({ sessionId: id, email: "nobody@example.test" }) },
  },
  "study.live.watch": { access: "user", owned: { table: "live_sessions", input: (id) => ({ sessionId: id }) } },
  "study.live.join": { access: "public" },
  "study.live.state": { access: "public" },
  "study.live.answer": { access: "public" },
  "study.live.leave": { access: "public" },
  "study.live.play": { access: "public" },
};

/** How to give a user a row in each table that owned ids point into (used by the cross-user sweep). */
export const fixtures: Record<string, (caller: Caller, owner: { userId: string; db: Database }) => Promise<unknown>> = {
  // A signed-in caller already has a session row.
  sessions: async () => undefined,
  user_api_keys: (caller) => caller.apiKeys.save({ service: "openai", key: "sk-test-fixture-1234" }),
  // Notifications are made by other modules, not by a procedure: write one as the owner.
  notifications: (_caller, owner) =>
    asUser(owner.db, owner.userId, (tx) =>
      notifications.notify(tx, { userId: owner.userId, kind: "test", title: "Fixture", body: "Fixture", dedupeKey: "fixture" }),
    ),
  conversations: (caller) => caller.chat.create({ assistant: "companion", title: "Fixture conversation" }),
  workspace_documents: (caller) =>
    caller.chat.addDocument({ title: "Fixture notes", kind: "note", content: "Mitochondria make ATP." }),
  // Written as the owner through the service; the embedding job it would enqueue is not needed here (the
  // sweep's harness does not create the writer queues), so enqueueing is a no-op.
  knowledge_entries: (_caller, owner) =>
    asUser(owner.db, owner.userId, (tx) =>
      knowledge.createEntry({ enqueue: async () => {} }, tx, owner.userId, {
        title: "Fixture knowledge",
        content: "I write about sourdough baking for beginners.",
        category: "about_me",
      }),
    ),
  // A 1×1 PNG uploaded as the owner's logo (a stored_files row and its bytes).
  stored_files: (caller) =>
    caller.brand.uploadLogo({
      filename: "fixture-logo.png",
      dataBase64: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    }),
  // A connected X account, written as the owner (the sweep harness has no platform to sign in to);
  // other fixtures (posts) build on it.
  social_connections: (_caller, owner) => asUser(owner.db, owner.userId, (tx) => insertFixtureConnection(tx, owner.userId)),
  // Writer sessions with their outputs generated (offline model) and settled, so nothing changes under the sweep.
  writer_sessions: (caller) => writerFixture(caller),
  writer_outputs: (caller) => writerFixture(caller),
  writer_output_versions: (caller) => writerFixture(caller),
  writer_projects: async (caller) => {
    const sessionId = await writerFixture(caller);
    await caller.writer.projects.pin({ sessionId, name: "Fixture project", tags: ["fixture"] });
  },
  // A draft on a fixture connection (drafts enqueue nothing, so no queue is needed).
  scheduled_posts: async (caller, owner) => {
    await fixtures.social_connections?.(caller, owner);
    const [connection] = await caller.publishing.connections.list();
    if (!connection) throw new Error("fixture connection missing");
    await caller.publishing.posts.compose({
      channels: [{ connectionId: connection.id, parts: ["Fixture post"] }],
      when: { kind: "draft" },
      idempotencyKey: `fixture-${connection.id}`,
    });
  },
  // A whole exchange, waited for, so the reply is settled (not still streaming) while the sweep compares rows.
  messages: async (caller) => {
    const c = await caller.chat.create({ assistant: "tutor", title: "Fixture chat" });
    const sent = await caller.chat.send({ conversationId: c.id, content: "Fixture question", idempotencyKey: `fixture-${c.id}` });
    for await (const _ of await caller.chat.stream({ messageId: sent.assistantMessage.id })) {
      // drain until the final event
    }
  },
  voice_profiles: (caller) => caller.voice.create({ name: "Fixture voice", bannedPhrases: ["fixture phrase"] }),
  // A sample enqueues the analysis (its queue is one of apiQueues); no worker runs it during the sweep.
  voice_samples: async (caller) => {
    const p = await caller.voice.create({ name: "Fixture sampled voice" });
    await caller.voice.addSample({ profileId: p.id, source: "paste", content: "I write short, plain sentences. Mostly." });
  }, // A payment starts at Stripe; the sweep has none, so the owner's pending row is written directly.
  payments: (_caller, owner) => asUser(owner.db, owner.userId, (tx) => insertFixturePayment(tx, owner.userId)),
  // A campaign (its creator's owner membership is the family_members row), a story in it, a comment on that.
  campaigns: (caller) => storiesFixture(caller),
  family_members: (caller) => storiesFixture(caller),
  stories: (caller) => storiesFixture(caller),
  story_comments: (caller) => storiesFixture(caller),
  // A story with a photo and a recording, their rows written as the owner (no upload in the sweep).
  story_photos: (caller, owner) => storyMediaFixture(caller, owner),
  story_audio: (caller, owner) => storyMediaFixture(caller, owner),
  // A saved reel (its stats job is enqueued; no worker runs it during the sweep).
  // A draft book and a pending order of it, written as the owner (no render or checkout runs in the sweep).
  books: (caller, owner) => bookOrderFixture(caller, owner),
  book_orders: (caller, owner) => bookOrderFixture(caller, owner),
  // A pending generation (its submit job is enqueued; no worker runs it during the sweep).
  image_generations: (caller) =>
    caller.studio.generations.create({ promptText: "Fixture lighthouse", settings: { width: 512, height: 512 } }),
  // An image asset written as the owner (no upload or media work in the sweep).
  studio_assets: (_caller, owner) => asUser(owner.db, owner.userId, (tx) => insertFixtureAsset(tx, owner.userId)),
  viral_reels: (caller) =>
    caller.studio.reels.save({ url: "https://www.instagram.com/reel/C0fixture1/?igsh=abc", notes: "Fixture" }),
  // A prompt written by hand (no model, no asset needed).
  image_prompts: (caller) =>
    caller.studio.prompts.create({ promptText: "A fixture lighthouse at dusk", variationLabel: "Fixture" }),
  // A Clever link written as the system would at sign-in (the sweep runs no provider).
  oauth_accounts: (_caller, owner) => insertFixtureOAuthAccount(owner.db, owner.userId),
  model_personas: (caller) => caller.studio.personas.create({ name: "Fixture persona", voiceId: "sandbox-rachel" }),
  // A folder holding a flashcard set typed by hand (no model).
  study_folders: (caller) => studyLibraryFixture(caller),
  study_items: (caller) => studyLibraryFixture(caller),
  // A quiz typed by hand, shared as a link; and a public link to it as a material.
  shared_quizzes: (caller) => studySharingFixture(caller),
  shared_materials: (caller) => studySharingFixture(caller),
  // A true/false quiz typed by hand and taken (graded exactly: no model, nothing charged).
  quiz_results: async (caller) => {
    const item = await caller.study.library.items.create({
      itemType: "quiz",
      title: "Fixture quiz to take",
      content: { questions: [{ id: "q1", kind: "true_false", prompt: "Fixture?", answer: true }] },
    });
    await caller.study.quiz.submit({
      itemId: item.id,
      attemptKey: `fixture-${item.id}`,
      answers: [{ questionId: "q1", response: true, timeMs: 1000 }],
    });
  },
  // A live session of a true/false quiz typed by hand, left in its lobby.
  live_sessions: async (caller) => {
    const item = await caller.study.library.items.create({
      itemType: "quiz",
      title: "Fixture live quiz",
      content: { questions: [{ id: "q1", kind: "true_false", prompt: "Fixture?", answer: true }] },
    });
    await caller.study.live.create({ itemId: item.id });
  },
};

const FLASHCARDS_FIXTURE = { cards: [{ id: "c1", front: "Fixture term", back: "Fixture meaning" }] };

async function studySharingFixture(caller: Caller) {
  const item = await caller.study.library.items.create({
    itemType: "quiz",
    title: "Fixture quiz",
    content: { questions: [{ id: "q1", kind: "true_false", prompt: "Fixture?", answer: true }] },
  });
  await caller.study.sharing.shareQuiz({ itemId: item.id, expiresIn: "7d" });
  await caller.study.sharing.shareByLink({ itemId: item.id, expiresIn: "7d" });
}

async function studyLibraryFixture(caller: Caller) {
  // Called once per table (folders, items): a fresh name each time, as names are unique per user.
  const folder = await caller.study.library.folders.create({ name: `Fixture folder ${crypto.randomUUID().slice(0, 8)}` });
  await caller.study.library.items.create({
    itemType: "flashcard",
    title: "Fixture cards",
    content: FLASHCARDS_FIXTURE,
    folderId: folder.id,
  });
}

async function bookOrderFixture(caller: Caller, owner: { userId: string; db: Database }) {
  const campaign = await caller.stories.campaigns.create({
    title: "Fixture: a book to order",
    storytellerName: "Gran",
    relationshipType: "grandparent",
    goalStories: 5,
    themes: ["family"],
  });
  await asUser(owner.db, owner.userId, (tx) => insertFixtureBookOrder(tx, owner.userId, campaign.id));
}

async function storiesFixture(caller: Caller) {
  const campaign = await caller.stories.campaigns.create({
    title: "Fixture: Mum's stories",
    storytellerName: "Mum",
    relationshipType: "parent",
    goalStories: 10,
    themes: ["childhood"],
  });
  const story = await caller.stories.create({ campaignId: campaign.id, title: "Fixture story", content: "The summer of 1969." });
  await caller.stories.addComment({ storyId: story.id, body: "Fixture comment" });
}

async function storyMediaFixture(caller: Caller, owner: { userId: string; db: Database }) {
  const campaign = await caller.stories.campaigns.create({
    title: "Fixture: photos and recordings",
    storytellerName: "Dad",
    relationshipType: "parent",
    goalStories: 5,
    themes: ["family"],
  });
  const story = await caller.stories.create({ campaignId: campaign.id, title: "Fixture story with media", content: "Pictures." });
  await asUser(owner.db, owner.userId, (tx) => insertFixtureStoryMedia(tx, owner.userId, story.id));
}

/** A writer session whose LinkedIn post is generated and stored (its stream drained to the end). */
async function writerFixture(caller: Caller) {
  const { sessionId } = await caller.writer.sessions.create({
    concept: "Fixture: why small bakeries should post daily",
    formats: ["linkedin_post"],
    style: "natural",
    idempotencyKey: `fixture-${crypto.randomUUID()}`,
  });
  for await (const _ of await caller.writer.sessions.stream({ sessionId })) {
    // drain until every output is settled
  }
  return sessionId;
}
