/** Public API of the identity module. */
export * from "./identity.schemas.ts";
export * as identity from "./identity.service.ts";
export { defaultIdentitySettings, type IdentityConfig, type IdentityDeps, type IssuedSession, type RequestMeta } from "./identity.service.ts";
export { identityJobs, sendEmailJob, purgeExpiredJob } from "./identity.jobs.ts";
export { ARGON2_PARAMS, hashPassword, isCommonPassword } from "./passwords.ts";
