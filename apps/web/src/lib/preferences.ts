/** The profile preferences the web understands, read defensively from the free-form `preferences` object. */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export interface Preferences {
  theme: Theme;
  weeklyDigest: boolean;
}

export function readPreferences(raw: Record<string, unknown> | null | undefined): Preferences {
  const theme = raw?.theme;
  return {
    theme: THEMES.includes(theme as Theme) ? (theme as Theme) : "system",
    weeklyDigest: raw?.weeklyDigest === true,
  };
}

const STORAGE_KEY = "inkwell.theme";

/** Light or dark wins over the system setting; index.html re-applies the last choice before first paint. */
export function applyTheme(theme: Theme) {
  const root = document.documentElement;
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    if (theme === "system") localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Storage may be unavailable (private mode); the preference still applies to this page.
  }
}
