import { Dialog } from "radix-ui";
import { useEffect, useState } from "react";
import { Link, useLocation } from "react-router";
import { Button } from "../SubmitButton.tsx";
import { Icon } from "./icons.tsx";
import { ACCOUNT, CHAT, HOME, isCurrent, LATER, type NavItem, PUBLISH, STORIES, STUDIO, STUDY, WRITE } from "./nav-items.ts";
import s from "./shell.module.css";
import { useSignOut } from "./use-sign-out.ts";

/**
 * The phone navigation: a menu button opening a drawer (Radix Dialog: focus trapped inside, Escape
 * and the scrim close it, focus returns to the button) with every group the desktop header has.
 */
export function NavDrawer() {
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();
  const signOut = useSignOut();
  // Following a link closes the drawer (the new page takes focus).
  useEffect(() => setOpen(false), [pathname]);

  const link = (item: NavItem, end = false) => {
    const current = end ? pathname === item.to : isCurrent(item, pathname);
    return (
      <li key={item.to}>
        <Link to={item.to} className={s.drawerLink} aria-current={current ? "page" : undefined} onClick={() => setOpen(false)}>
          {item.label}
        </Link>
      </li>
    );
  };

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={s.menuButton} aria-label="Open menu">
        <Icon name="menu" size={22} />
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className={s.overlay} />
        <Dialog.Content className={s.drawer} aria-describedby={undefined}>
          <div className={s.drawerHeader}>
            <Dialog.Title className={s.drawerTitle}>Menu</Dialog.Title>
            <Dialog.Close className={s.iconButton} aria-label="Close menu">
              <Icon name="close" />
            </Dialog.Close>
          </div>
          <nav aria-label="Main" className={s.drawerNav}>
            <div className={s.drawerGroup}>
              <ul>
                {link(HOME, true)}
                {link(CHAT)}
              </ul>
            </div>
            {[WRITE, PUBLISH, STORIES, STUDIO, STUDY, ACCOUNT].map((group) => (
              <section key={group.label} className={s.drawerGroup} aria-label={group.label}>
                <h2>{group.label}</h2>
                <ul>{group.items.map((item) => link(item))}</ul>
              </section>
            ))}
            {LATER.length > 0 && (
              <section className={s.drawerGroup} aria-label="Coming later">
                <h2>Coming later</h2>
                <ul>
                  {LATER.map((name) => (
                    <li key={name} className={s.drawerLater}>
                      {name} <span className={s.soon}>soon</span>
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </nav>
          <div className={s.drawerFooter}>
            <Button variant="ghost" pending={signOut.isPending} onClick={() => signOut.mutate()}>
              Sign out
            </Button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
