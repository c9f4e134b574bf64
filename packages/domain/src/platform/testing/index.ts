/** Dev and test tools of the platform kernel (`@inkwell/domain/platform/testing`); production code never imports them. */
export { type LocalSmtpServer, startLocalSmtpServer } from "./local-smtp-server.ts";
