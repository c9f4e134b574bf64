// @vitest-environment jsdom
/**
 * Editing the last message in place, by keyboard: the field takes focus, and leaving it (Escape or
 * Cancel) puts focus back on "Edit" instead of dropping it on the page.
 */
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { UserMessage } from "./Message.tsx";

beforeAll(() => {
  // jsdom has no layout: Radix positions tooltips with ResizeObserver, which it lacks.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});
afterEach(cleanup);

const message = { id: "m1", content: "How do plants use light?" };

describe("editing the last message", () => {
  it("focuses the field, and Escape or Cancel puts focus back on Edit without resending", async () => {
    const user = userEvent.setup();
    const onEdit = vi.fn();
    render(<UserMessage message={message} editable busy={false} onEdit={onEdit} />);

    for (const leave of ["{Escape}", "cancel"] as const) {
      await user.click(screen.getByRole("button", { name: "Edit your last message" }));
      expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "Edit your message" }));
      if (leave === "cancel") await user.click(screen.getByRole("button", { name: "Cancel" }));
      else await user.keyboard(leave);
      expect(screen.queryByRole("textbox")).toBeNull();
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Edit your last message" }));
    }
    expect(onEdit).not.toHaveBeenCalled();
  });

  it("resends the edited text", async () => {
    const user = userEvent.setup();
    const onEdit = vi.fn();
    render(<UserMessage message={message} editable busy={false} onEdit={onEdit} />);
    await user.click(screen.getByRole("button", { name: "Edit your last message" }));
    const field = screen.getByRole("textbox", { name: "Edit your message" });
    await user.clear(field);
    await user.type(field, "How do plants use water?");
    await user.click(screen.getByRole("button", { name: "Save and resend" }));
    expect(onEdit).toHaveBeenCalledWith("How do plants use water?");
  });
});
