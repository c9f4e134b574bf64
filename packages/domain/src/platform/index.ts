/** Cross-cutting pieces every module uses: errors, queues, mail, secrets, tokens. */
export * from "./errors.ts";
export { type LocalSmtpServer, type ReceivedMail, readMailFolder, startLocalSmtpServer } from "./local-smtp-server.ts";
export * from "./mail.ts";
export * from "./queue.ts";
export * from "./secret-box.ts";
export * from "./text.ts";
export * from "./tokens.ts";
export * from "./untrusted/parsers.ts";
export * from "./untrusted/untrusted.ts";
