/**
 * Public API of the stories module: family story campaigns, their family members, the weekly questions
 * (library, schedule, the storyteller's answer link) and the stories with comments and reactions.
 * Photos, audio, books and orders come later and hang off `stories.id` / `campaigns.id`.
 */

export { sendDuePromptsJob, sendInviteJob, sendPromptJob, storiesJobs } from "./stories.jobs.ts";
export { nextWeeklyOccurrence } from "./stories.schedule.ts";
export * from "./stories.schemas.ts";
export * as stories from "./stories.service.ts";
export { defaultStoriesConfig, type StoriesConfig, type StoriesDeps } from "./stories.service.ts";
export { countWords, WORD_COUNT_TEST_ALPHABET } from "./stories.words.ts";
export * as family from "./stories-family.service.ts";
export * from "./stories-followup.schemas.ts";
export * as followUp from "./stories-followup.service.ts";
export { type BookStory, type BookStoryPhoto, storiesForBook } from "./stories-media.book.ts";
export { storiesMediaJobs, transcribeAudioJob } from "./stories-media.jobs.ts";
export * from "./stories-media.schemas.ts";
export type { StoriesMediaDeps } from "./stories-media.service.ts";
export * as storiesMedia from "./stories-media.service.ts";
export * as prompts from "./stories-prompts.service.ts";
