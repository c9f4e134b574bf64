import { Command } from "cmdk";
import { Dialog } from "radix-ui";
import { useEffect } from "react";
import { useNavigate } from "react-router";
import { ALL_GROUPS, LATER } from "./nav-items.ts";
import s from "./shell.module.css";

/** Ctrl+K (⌘K on a Mac) anywhere opens the palette, and closes it again. */
export function usePaletteShortcut(toggle: () => void) {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        toggle();
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [toggle]);
}

export const isMac = () => typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/**
 * Jump to any page by typing part of its name (cmdk filters and ranks; arrows and Enter pick). It sits
 * in a Radix Dialog of our own so it has a title and traps focus like every other dialog.
 */
export function CommandPalette({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const navigate = useNavigate();
  const go = (to: string) => {
    onOpenChange(false);
    void navigate(to);
  };
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className={s.overlay} />
        <Dialog.Content className={s.palette} aria-describedby={undefined}>
          <Dialog.Title className="visually-hidden">Go to a page</Dialog.Title>
          <Command label="Go to a page" loop>
            <Command.Input placeholder="Go to a page…" aria-label="Page name" />
            <Command.List aria-label="Pages">
              <Command.Empty>No page matches that.</Command.Empty>
              {ALL_GROUPS.map((group) => (
                <Command.Group key={group.label} heading={group.label}>
                  {group.items.map((item) => (
                    <Command.Item
                      key={item.to}
                      value={`${group.label} ${item.label}`}
                      keywords={item.keywords}
                      onSelect={() => go(item.to)}
                    >
                      {item.label}
                    </Command.Item>
                  ))}
                </Command.Group>
              ))}
              <Command.Group heading="Actions">
                <Command.Item value="New chat" keywords={["start", "conversation"]} onSelect={() => go("/chat")}>
                  New chat
                </Command.Item>
              </Command.Group>
              {LATER.length > 0 && (
                <Command.Group heading="Coming later">
                  {LATER.map((name) => (
                    <Command.Item key={name} value={name} disabled>
                      {name} <span className={s.soon}>soon</span>
                    </Command.Item>
                  ))}
                </Command.Group>
              )}
            </Command.List>
          </Command>
          <p className={s.paletteHint}>↑ ↓ to choose · Enter to open · Esc to close</p>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
