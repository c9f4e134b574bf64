/** Cross-cutting pieces every module uses: errors, queues, mail, secrets, tokens. */
export * from "./errors.ts";
export * from "./queue.ts";
export * from "./mail.ts";
export * from "./secret-box.ts";
export * from "./tokens.ts";
export { startLocalSmtpServer, readMailFolder, type LocalSmtpServer, type ReceivedMail } from "./local-smtp-server.ts";
