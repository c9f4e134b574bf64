/** Expiry choices as the share dialog names them (the values the sharing procedures take). */
export const EXPIRY_OPTIONS = [
  ["1d", "1 day"],
  ["7d", "7 days"],
  ["30d", "30 days"],
  ["never", "Never"],
] as const;
export type Expiry = (typeof EXPIRY_OPTIONS)[number][0];

export const STATUS_LABEL = { active: "Active", expired: "Expired", revoked: "Turned off" } as const;
