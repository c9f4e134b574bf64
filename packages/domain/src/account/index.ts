/** Public API of the account module: "your data" exports and account deletion. */

export { accountJobs, buildExportJob, deleteAccountJob, expireExportsJob } from "./account.jobs.ts";
export { OWNED_THROUGH_PARENT, TABLE_DECISIONS, type TableDecision, USERS_OMIT, undecidedTables } from "./account.plan.ts";
export * from "./account.schemas.ts";
export * as account from "./account.service.ts";
export { EXPORT_PURPOSE } from "./account.service.ts";
