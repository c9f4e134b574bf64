/** Test and development stand-ins of the classrooms module (never imported by production code). */

export { insertFixtureOAuthAccount } from "./fixtures.ts";
export {
  type IdentitySandbox,
  SANDBOX_DISTRICT,
  SANDBOX_SCHOOL,
  SANDBOX_SECTIONS,
  SANDBOX_USERS,
  type SandboxProvider,
  type SandboxSection,
  type SandboxUser,
  startIdentitySandbox,
} from "./identity-sandbox.ts";
