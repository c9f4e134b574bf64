/**
 * What the stories e-mails say. Each carries one link whose token exists only in the mail (the
 * database keeps its SHA-256): an invitation to the family, or a question the storyteller answers
 * without an account.
 */
import type { MailMessage } from "../platform/mail.ts";

const base = (appUrl: string) => appUrl.replace(/\/$/, "");
const days = (seconds: number) => Math.round(seconds / 86_400);

export function invitationMail(input: {
  to: string;
  inviter: string;
  campaignTitle: string;
  storytellerName: string;
  role: string;
  appUrl: string;
  token: string;
  ttlSeconds: number;
}): MailMessage {
  const link = `${base(input.appUrl)}/invite?token=${input.token}`;
  const what =
    input.role === "viewer"
      ? "read their stories and comment"
      : input.role === "owner"
        ? "run the campaign with them"
        : "add stories";
  return {
    to: input.to,
    subject: `${input.inviter} invited you to "${input.campaignTitle}" on Inkwell`,
    text: `${input.inviter} is collecting ${input.storytellerName}'s life stories in "${input.campaignTitle}" and invited you to ${what}.\n\nJoin here (the link works once, for ${days(input.ttlSeconds)} days; you can create an account on the way):\n\n${link}\n\nIf you were not expecting this, ignore this message.`,
  };
}

export function promptMail(input: {
  to: string;
  storytellerName: string;
  campaignTitle: string;
  question: string;
  reminder: boolean;
  appUrl: string;
  campaignId: string;
  promptId: string;
  token: string;
  ttlSeconds: number;
}): MailMessage {
  const link = `${base(input.appUrl)}/answer/${input.campaignId}/${input.promptId}?token=${input.token}`;
  const opening = input.reminder
    ? `Hello ${input.storytellerName},\n\nA gentle reminder: your family would love to hear your answer to this week's question.`
    : `Hello ${input.storytellerName},\n\nHere is this week's question from your family:`;
  return {
    to: input.to,
    subject: input.reminder ? `Reminder: ${input.question}` : `This week's question: ${input.question}`,
    text: `${opening}\n\n  ${input.question}\n\nWrite your answer here; no account or password needed (the link is yours alone and works for ${days(input.ttlSeconds)} days):\n\n${link}\n\nWith love, from "${input.campaignTitle}" on Inkwell.`,
  };
}
