/** How the stories jobs run (the definitions, which services enqueue, are in stories.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { sendDuePromptsJob, sendInviteJob, sendPromptJob } from "./stories.jobs.ts";
import { mailInvitation } from "./stories-family.service.ts";
import { mailPrompt, sendDue } from "./stories-prompts.service.ts";

export const storiesHandlers = [
  handle(sendInviteJob, async (data, deps) => {
    await mailInvitation(deps, data);
  }),
  handle(sendPromptJob, async (data, deps) => {
    await mailPrompt(deps, data);
  }),
  handle(sendDuePromptsJob, async (_data, deps) => {
    const result = await sendDue(deps);
    if (result.sent || result.reminders) deps.log.info(result, "stories: questions sent");
  }),
];
