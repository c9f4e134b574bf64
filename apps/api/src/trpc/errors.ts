/**
 * The one place where errors become tRPC errors. Domain errors carry their own code; a few Postgres
 * errors that bad input can still reach are mapped too, so that no input produces a 500.
 */
import { DomainError, ERROR_CODES } from "@inkwell/domain/platform/errors";
import { TRPCError } from "@trpc/server";

const PG_CODES: Record<string, { code: TRPCError["code"]; message: string }> = {
  "23505": { code: "CONFLICT", message: "That already exists." },
  "23503": { code: "NOT_FOUND", message: "Something it refers to was not found." },
  "23514": { code: "BAD_REQUEST", message: "A value is out of the allowed range." },
  "23502": { code: "BAD_REQUEST", message: "A required value is missing." },
  "22001": { code: "BAD_REQUEST", message: "A value is too long." },
  "22P02": { code: "BAD_REQUEST", message: "A value has the wrong format." },
  "22P05": { code: "BAD_REQUEST", message: "A value contains characters that cannot be stored." },
  "22003": { code: "BAD_REQUEST", message: "A number is out of range." },
  "22007": { code: "BAD_REQUEST", message: "A date has the wrong format." },
  "22008": { code: "BAD_REQUEST", message: "A date is out of range." },
  "22023": { code: "BAD_REQUEST", message: "A value is not allowed." },
  // Text Postgres cannot hold: NUL ("invalid byte sequence for encoding UTF8: 0x00") and the like. The
  // edge rule in init.ts refuses these first; this catches any other way in (a value built in code).
  "22021": { code: "BAD_REQUEST", message: "A value contains characters that aren't allowed." },
  "22004": { code: "BAD_REQUEST", message: "A required value is missing." },
  // A user's text used as a LIKE pattern or a regular expression.
  "22025": { code: "BAD_REQUEST", message: "A search pattern is not valid." },
  "22019": { code: "BAD_REQUEST", message: "A search pattern is not valid." },
  "2201B": { code: "BAD_REQUEST", message: "A search pattern is not valid." },
  // JSON a user sent that jsonb refuses (e.g. too deep or a number it cannot hold).
  "22032": { code: "BAD_REQUEST", message: "A value is not valid JSON." },
  // Size limits of the database itself: an index row (about 2.7 KB) or a tsvector (1 MB) too large, an
  // array or JSON value nested too deep ("stack depth limit exceeded"). Only input that is too big or
  // too deep reaches them; the schemas' own limits are meant to refuse it first.
  "54000": { code: "BAD_REQUEST", message: "A value is too large." },
  "54001": { code: "BAD_REQUEST", message: "A value is too large or nested too deeply." },
};

/** A row-level security WITH CHECK failure means writing into something that is not yours. */
const isRlsViolation = (cause: unknown) =>
  (cause as { code?: unknown })?.code === "42501" && /row-level security/.test(String((cause as Error).message));

export function toTRPCError(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (cause instanceof DomainError) {
    return new TRPCError({ code: ERROR_CODES[cause.code], message: cause.message, cause });
  }
  if (error.code === "INTERNAL_SERVER_ERROR" && isRlsViolation(cause)) {
    return new TRPCError({ code: "NOT_FOUND", message: "Not found.", cause });
  }
  const pgCode = (cause as { code?: unknown } | undefined)?.code;
  if (error.code === "INTERNAL_SERVER_ERROR" && typeof pgCode === "string" && PG_CODES[pgCode]) {
    const mapped = PG_CODES[pgCode];
    return new TRPCError({ code: mapped.code, message: mapped.message, cause });
  }
  return error;
}
