/** How the chat jobs run (the definitions, which services enqueue, are in chat.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { failStaleRepliesJob, titleConversationJob } from "./chat.jobs.ts";
import * as chat from "./chat.service.ts";

export const chatHandlers = [
  handle(titleConversationJob, async (data, { db, ai, log }) => {
    const title = await chat.titleConversation({ db, ai }, data.userId, data.conversationId);
    if (title) log.info({ conversationId: data.conversationId }, "titled conversation");
  }),
  handle(failStaleRepliesJob, async (_data, { db, log }) => {
    const failed = await chat.failStaleReplies(db);
    if (failed) log.info({ failed }, "marked interrupted chat replies failed");
  }),
];
