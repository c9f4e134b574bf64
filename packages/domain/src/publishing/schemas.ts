/** Browser-safe publishing schemas and types (zod only): `@inkwell/domain/publishing/schemas`. */
export * from "./connections.schemas.ts";
