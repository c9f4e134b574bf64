/** Words for the feedback module's values, shared by the user's page and the admin's. */
export const SEVERITY_LABELS = { low: "Low", medium: "Medium", high: "High", critical: "Critical" } as const;
export const BUG_STATUS_LABELS = {
  pending: "Received",
  in_progress: "Being worked on",
  resolved: "Resolved",
  closed: "Closed",
} as const;
export const FEEDBACK_TYPE_LABELS = {
  general: "General",
  feature_request: "Feature request",
  improvement: "Improvement",
  other: "Other",
} as const;
export const FEEDBACK_STATUS_LABELS = {
  pending: "Received",
  reviewed: "Reviewed",
  implemented: "Implemented",
  closed: "Closed",
} as const;
