/** Local servers that stand in for the outside AI services in tests and benchmarks (loopback only). */
export type { FailOptions, RecordedRequest, Sandbox } from "./http-kit.ts";
export { type ImageApiSandbox, startImageApiSandbox } from "./image-api-server.ts";
export {
  type ChatBody,
  type OpenAiCompatibleServer,
  type ScriptedToolCall,
  startOpenAiCompatibleServer,
  type WireToolCall,
} from "./openai-compatible-server.ts";
