/** The sandbox platform: a local stand-in for X, LinkedIn, Threads and WordPress (loopback only). */
export {
  type SandboxAccount,
  type SandboxFailOptions,
  type SandboxFaultFilter,
  type SandboxPlatform,
  type SandboxPost,
  type SandboxRequest,
  startSandboxPlatform,
} from "./sandbox-platform.ts";
