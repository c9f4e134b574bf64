// @vitest-environment jsdom
/**
 * The shared list as a user works it: typing in the search box narrows the rows, "Rename" edits a
 * title in place (Enter saves, Escape cancels, a failure keeps the form with its message), and
 * "Delete" asks first — Cancel keeps the row, the dialog's Delete removes it.
 */
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SearchableList } from "./searchable-list.tsx";

interface Doc {
  id: string;
  title: string;
}

beforeAll(() => {
  // jsdom has no layout: Radix positions tooltips with ResizeObserver, which it lacks.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});
afterEach(cleanup);

/** A page holding its rows in state, as the real pages hold them in the query cache. */
function Harness({
  initial,
  onRename = async () => {},
  onDelete = async () => {},
}: {
  initial: Doc[];
  onRename?: (doc: Doc, name: string) => Promise<unknown>;
  onDelete?: (doc: Doc) => Promise<unknown>;
}) {
  const [docs, setDocs] = useState(initial);
  const [text, setText] = useState("");
  const shown = docs.filter((d) => d.title.toLowerCase().includes(text.trim().toLowerCase()));
  return (
    <SearchableList
      items={shown}
      getKey={(d) => d.id}
      getName={(d) => d.title}
      label={text ? `Documents matching ${text}` : "Documents"}
      search={{ label: "Search documents", value: text, onChange: setText }}
      filtered={text.trim() !== ""}
      loadingText="Loading…"
      emptyText="No documents yet."
      noMatchText={`No documents match “${text}”.`}
      renderItem={(d, { actions }) => (
        <>
          <a href={`/docs/${d.id}`}>{d.title}</a>
          {actions}
        </>
      )}
      rename={{
        onRename: async (d, title) => {
          await onRename(d, title);
          setDocs((all) => all.map((x) => (x.id === d.id ? { ...x, title } : x)));
        },
      }}
      remove={{
        title: (d) => `Delete “${d.title}”?`,
        description: () => "This cannot be undone.",
        onDelete: async (d) => {
          await onDelete(d);
          setDocs((all) => all.filter((x) => x.id !== d.id));
        },
      }}
    />
  );
}

const DOCS = [
  { id: "1", title: "Plants and light" },
  { id: "2", title: "Sprint demos" },
  { id: "3", title: "Photosynthesis notes" },
];

const rowNames = () =>
  within(screen.getByRole("list"))
    .getAllByRole("link")
    .map((a) => a.textContent);

describe("the shared searchable list", () => {
  it("narrows the rows as the user types and says when nothing matches", async () => {
    const user = userEvent.setup();
    render(<Harness initial={DOCS} />);
    expect(rowNames()).toEqual(["Plants and light", "Sprint demos", "Photosynthesis notes"]);

    await user.type(screen.getByRole("searchbox", { name: "Search documents" }), "pho");
    expect(screen.getByRole("list", { name: "Documents matching pho" })).toBeTruthy();
    expect(rowNames()).toEqual(["Photosynthesis notes"]);

    await user.type(screen.getByRole("searchbox"), "zzz");
    expect(screen.queryByRole("list")).toBeNull();
    expect(screen.getByText("No documents match “phozzz”.")).toBeTruthy();
  });

  it("says there is nothing yet (not that nothing matches) when the list is empty", () => {
    render(<Harness initial={[]} />);
    expect(screen.getByText("No documents yet.")).toBeTruthy();
  });

  it("renames in place: Enter saves the new title and focus returns to Rename", async () => {
    const user = userEvent.setup();
    const onRename = vi.fn(async () => {});
    render(<Harness initial={DOCS} onRename={onRename} />);

    await user.click(screen.getByRole("button", { name: "Rename Sprint demos" }));
    const input = screen.getByRole("textbox", { name: "New title for Sprint demos" });
    expect(document.activeElement).toBe(input);
    await user.clear(input);
    await user.type(input, "What replaced demos{Enter}");

    expect(onRename).toHaveBeenCalledWith(DOCS[1], "What replaced demos");
    await waitFor(() => expect(rowNames()).toContain("What replaced demos"));
    expect(rowNames()).not.toContain("Sprint demos");
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Rename What replaced demos" }));
  });

  it("keeps the rename form with the error when saving fails, and Escape leaves the title as it was", async () => {
    const user = userEvent.setup();
    render(
      <Harness
        initial={DOCS}
        onRename={async () => {
          throw new Error("boom");
        }}
      />,
    );
    await user.click(screen.getByRole("button", { name: "Rename Plants and light" }));
    const input = screen.getByRole("textbox", { name: "New title for Plants and light" });
    await user.clear(input);
    await user.type(input, "Light{Enter}");
    expect((await screen.findByRole("alert")).textContent).toMatch(/went wrong/);
    expect(input.getAttribute("aria-invalid")).toBe("true");

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("textbox", { name: /New title/ })).toBeNull();
    expect(rowNames()[0]).toBe("Plants and light");
  });

  it("refuses an empty title without calling the server", async () => {
    const user = userEvent.setup();
    const onRename = vi.fn(async () => {});
    render(<Harness initial={DOCS} onRename={onRename} />);
    await user.click(screen.getByRole("button", { name: "Rename Plants and light" }));
    await user.clear(screen.getByRole("textbox", { name: /New title/ }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByRole("alert").textContent).toBe("Enter a title");
    expect(onRename).not.toHaveBeenCalled();
  });

  it("deletes only after the confirmation: Cancel keeps the row, Delete removes it", async () => {
    const user = userEvent.setup();
    const onDelete = vi.fn(async () => {});
    render(<Harness initial={DOCS} onDelete={onDelete} />);

    await user.click(screen.getByRole("button", { name: "Delete Sprint demos" }));
    let dialog = screen.getByRole("alertdialog", { name: "Delete “Sprint demos”?" });
    // The safe choice has focus.
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onDelete).not.toHaveBeenCalled();
    expect(rowNames()).toContain("Sprint demos");

    await user.click(screen.getByRole("button", { name: "Delete Sprint demos" }));
    dialog = screen.getByRole("alertdialog", { name: "Delete “Sprint demos”?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onDelete).toHaveBeenCalledWith(DOCS[1]);
    expect(rowNames()).toEqual(["Plants and light", "Photosynthesis notes"]);
    // The row that held focus is gone: focus is on the search box, not lost on the page.
    expect(document.activeElement).toBe(screen.getByRole("searchbox"));
  });
});
