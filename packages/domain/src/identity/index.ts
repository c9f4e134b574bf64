/** Public API of the identity module. */

export {
  identityJobs,
  passwordResetMailJob,
  purgeExpiredJob,
  sendEmailJob,
  signUpMailJob,
} from "./identity.jobs.ts";
export * from "./identity.schemas.ts";
export * as identity from "./identity.service.ts";
export {
  defaultIdentitySettings,
  type IdentityConfig,
  type IdentityDeps,
  type IssuedSession,
  type RequestMeta,
} from "./identity.service.ts";
export { ARGON2_PARAMS, hashPassword, isCommonPassword } from "./passwords.ts";
