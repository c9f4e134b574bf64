// @vitest-environment jsdom
/**
 * The confirmation every delete goes through: it names what will happen, puts focus on Cancel,
 * Escape cancels, and an action that fails keeps the dialog open with the reason instead of closing
 * as if it had worked.
 */
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfirmDialog } from "./confirm-dialog.tsx";

afterEach(cleanup);

function Harness({ onConfirm }: { onConfirm: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Delete entry
      </button>
      {done && <p>Entry deleted</p>}
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Delete “Old bio”?"
        description="The writer stops using it. This cannot be undone."
        confirmLabel="Delete"
        onConfirm={async () => {
          await onConfirm();
          setDone(true);
        }}
      />
    </>
  );
}

describe("the confirm dialog", () => {
  it("names the action, focuses Cancel, and Escape closes it without acting, focus back on the opener", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn(async () => {});
    render(<Harness onConfirm={onConfirm} />);
    const opener = screen.getByRole("button", { name: "Delete entry" });
    await user.click(opener);

    const dialog = screen.getByRole("alertdialog", { name: "Delete “Old bio”?" });
    expect(dialog.getAttribute("aria-describedby")).toBeTruthy();
    expect(within(dialog).getByText("The writer stops using it. This cannot be undone.")).toBeTruthy();
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onConfirm).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(opener);
  });

  it("runs the action on confirm and closes once it has succeeded", async () => {
    const user = userEvent.setup();
    let finish = () => {};
    const onConfirm = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    render(<Harness onConfirm={onConfirm} />);
    await user.click(screen.getByRole("button", { name: "Delete entry" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }));

    // Still open (and busy) while the request runs.
    const busy = within(screen.getByRole("alertdialog")).getByRole("button", { name: /Delete/ });
    expect(busy.getAttribute("aria-busy")).toBe("true");
    finish();
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(screen.getByText("Entry deleted")).toBeTruthy();
  });

  it("stays open with the reason when the action fails", async () => {
    const user = userEvent.setup();
    render(
      <Harness
        onConfirm={async () => {
          throw new Error("network down");
        }}
      />,
    );
    await user.click(screen.getByRole("button", { name: "Delete entry" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }));
    const alert = await within(screen.getByRole("alertdialog")).findByRole("alert");
    expect(alert.textContent).toMatch(/went wrong/);
    expect(screen.queryByText("Entry deleted")).toBeNull();
  });
});
