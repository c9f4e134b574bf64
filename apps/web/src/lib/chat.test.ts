/**
 * A reply settles in the conversation cache when its final event arrives. A refetch of the conversation
 * already on its way (started while the reply was streaming: the title refresh a second and a half
 * after the previous reply, a window refocus) must not land afterwards and put the reply back to
 * "streaming" with the partial text the server had saved then.
 */
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { type ConversationView, conversationKey, settleMessage } from "./chat.ts";

const view = (status: string, content: string) =>
  ({
    conversation: { id: "c1", title: "Photosynthesis", draft: "" },
    messages: [{ id: "m1", seq: 2, role: "assistant", status, content, metadata: {}, error: null }],
  }) as unknown as ConversationView;

describe("settling a reply in the cache", () => {
  it("wins over a refetch that was in flight when the final event arrived", async () => {
    const qc = new QueryClient();
    const key = conversationKey("c1");
    qc.setQueryData(key, view("streaming", "Photosynthesis turns"));
    // The server answers this refetch with the row as it was mid-stream, after the reply has settled.
    let answer: (value: ConversationView) => void = () => {};
    const refetch = qc
      .fetchQuery({ queryKey: key, queryFn: () => new Promise<ConversationView>((resolve) => (answer = resolve)) })
      .catch(() => undefined);

    await settleMessage(qc, "c1", "m1", { status: "complete", content: "Photosynthesis turns light into sugar." });
    answer(view("streaming", "Photosynthesis turns"));
    await refetch;

    expect(qc.getQueryData(key)?.messages[0]).toMatchObject({
      status: "complete",
      content: "Photosynthesis turns light into sugar.",
    });
  });
});
