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
export {
  DEFAULT_IDENTITY_SANDBOX_URL,
  OAUTH_PROVIDERS,
  type OAuthEnv,
  type OAuthProvider,
  type OAuthSignInRuntime,
  oauthEnvSchema,
  oauthRuntimeFromEnv,
  type ProviderProfile,
} from "./oauth.providers.ts";
export type { FinishedSignIn, LinkedAccount, OAuthSignInDeps } from "./oauth.service.ts";
export * as oauthSignIn from "./oauth.service.ts";
export { ARGON2_PARAMS, hashPassword, isCommonPassword } from "./passwords.ts";
