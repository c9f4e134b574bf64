/** Cross-cutting pieces every module uses: errors, queues, mail, secrets, tokens. */

export { type ReceivedMail, readMailFolder } from "./dev-mail.ts";
export * from "./errors.ts";
export * from "./mail.ts";
export * from "./queue.ts";
export * from "./read-capped.ts";
export * from "./secret-box.ts";
export * from "./text.ts";
export * from "./tokens.ts";
export * from "./untrusted/parsers.ts";
export * from "./untrusted/untrusted.ts";
