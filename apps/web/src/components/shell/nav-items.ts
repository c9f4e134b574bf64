/**
 * Every place in the app, in the groups the header, the phone drawer and the command palette all show,
 * so the three never disagree about where a page lives.
 */
export interface NavItem {
  label: string;
  to: string;
  /** What the command palette also matches on. */
  keywords?: string[];
  /** Marks the item current for every path under it, not just its own (e.g. /chat/:id). */
  prefix?: boolean;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

export const HOME: NavItem = { label: "Home", to: "/", keywords: ["dashboard", "start"] };

export const WRITE: NavGroup = {
  label: "Write",
  items: [
    { label: "Writer", to: "/writer", prefix: true, keywords: ["draft", "article", "generate"] },
    { label: "Knowledge", to: "/knowledge", keywords: ["notes", "facts", "sources"] },
    { label: "Brand kit", to: "/brand-kit", keywords: ["colours", "colors", "logo", "brand"] },
    { label: "Voice", to: "/voice", keywords: ["tone", "style", "samples"] },
    { label: "Projects", to: "/projects", keywords: ["pinned", "sessions"] },
  ],
};

/** Family story campaigns (books and orders join this group). */
export const STORIES: NavGroup = {
  label: "Stories",
  items: [
    {
      label: "Family stories",
      to: "/stories",
      prefix: true,
      keywords: ["campaign", "memoir", "family", "questions", "storyteller"],
    },
    { label: "Books", to: "/books", prefix: true, keywords: ["book", "print", "proof", "pdf", "photos"] },
    { label: "Orders", to: "/orders", prefix: true, keywords: ["order", "printed", "shipping", "tracking", "delivery"] },
  ],
};

/** The content studio (media, personas and image generations join this group). */
export const STUDIO: NavGroup = {
  label: "Studio",
  items: [
    { label: "Assets", to: "/studio/assets", keywords: ["media", "library", "upload", "photos", "images", "videos", "files"] },
    {
      label: "Studio reels",
      to: "/studio/reels",
      prefix: true,
      keywords: ["viral", "instagram", "tiktok", "inspiration", "youtube"],
    },
    {
      label: "Personas",
      to: "/studio/personas",
      prefix: true,
      keywords: ["model", "persona", "voice", "reference images", "tts"],
    },
    { label: "Prompts", to: "/studio/prompts", keywords: ["image prompt", "photo", "vision", "variations", "persona"] },
    { label: "Generations", to: "/studio/generations", keywords: ["image", "generate", "picture", "higgsfield", "render"] },
  ],
};

/** Study (issue 15): the library of quizzes, flashcards, guides and writing prompts; the study modes join it. */
export const STUDY: NavGroup = {
  label: "Study",
  items: [
    {
      label: "Library",
      to: "/study",
      prefix: true,
      keywords: ["study", "quiz", "flashcards", "study guide", "writing prompts", "folders", "revision"],
    },
    { label: "Review", to: "/study/review", keywords: ["flashcards", "spaced repetition", "due", "streak", "srs"] },
    { label: "Shared with me", to: "/study/shared", keywords: ["shared", "shares", "from friends", "classmates", "received"] },
    { label: "Results", to: "/study/results", keywords: ["scores", "quiz results", "writing", "streak", "history"] },
    { label: "Live", to: "/study/live", prefix: true, keywords: ["live quiz", "kahoot", "game", "host", "players", "code"] },
    {
      label: "Classrooms",
      to: "/classrooms",
      prefix: true,
      keywords: ["clever", "class", "teacher", "students", "assign", "roster"],
    },
  ],
};

export const PUBLISH: NavGroup = {
  label: "Publish",
  items: [
    { label: "Queue & calendar", to: "/publishing", keywords: ["scheduled", "posts", "publishing"] },
    { label: "Compose a post", to: "/publishing/compose", keywords: ["new post", "schedule"] },
    { label: "Post history", to: "/publishing/history", keywords: ["published", "failed"] },
    { label: "Connections", to: "/publishing/connections", keywords: ["accounts", "x", "linkedin", "threads", "wordpress"] },
  ],
};

export const CHAT: NavItem = { label: "Chat", to: "/chat", prefix: true, keywords: ["conversation", "assistant", "tutor"] };

export const ACCOUNT: NavGroup = {
  label: "Account",
  items: [
    { label: "Profile", to: "/profile", keywords: ["name", "avatar", "theme"] },
    { label: "Settings", to: "/settings", keywords: ["api keys", "sessions", "devices", "password"] },
    { label: "Credits", to: "/credits", keywords: ["balance", "history", "billing"] },
    { label: "Credit usage", to: "/credits/usage", keywords: ["spending", "generations"] },
    { label: "Billing", to: "/billing", keywords: ["plan", "subscription", "invoices", "upgrade", "cancel"] },
  ],
};

/** Workspaces that are planned but not built yet: shown, honestly labelled, never linked. */
export const LATER: readonly string[] = [];

export const ALL_GROUPS: NavGroup[] = [{ label: "Go to", items: [HOME, CHAT] }, WRITE, PUBLISH, STORIES, STUDIO, STUDY, ACCOUNT];

const matches = (item: NavItem, pathname: string) =>
  pathname === item.to || (!!item.prefix && pathname.startsWith(`${item.to}/`));

/**
 * Whether `item` is the page at `pathname` (or, for prefix items, an ancestor of it). A prefix item
 * gives way to a more specific item under it (Library at /study is not current on /study/results,
 * which is Results'), so only one item is ever current.
 */
export function isCurrent(item: NavItem, pathname: string): boolean {
  if (pathname === item.to) return true;
  if (!matches(item, pathname)) return false;
  return !ALL_GROUPS.some((g) => g.items.some((other) => other.to.startsWith(`${item.to}/`) && matches(other, pathname)));
}

/** Whether any item of `group` is the current page: its trigger shows as current too. */
export const groupIsCurrent = (group: NavGroup, pathname: string) => group.items.some((i) => isCurrent(i, pathname));
