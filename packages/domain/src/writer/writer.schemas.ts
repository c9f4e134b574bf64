/** Browser-safe writer schemas (zod and pure functions): `@inkwell/domain/writer/schemas`. */
export * from "./writer-formats.ts";
export * from "./writer-sessions.schemas.ts";
