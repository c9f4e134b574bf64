import { useCallback, useState } from "react";
import { Link, NavLink } from "react-router";
import type { Me } from "../../lib/api.ts";
import { BalanceChip } from "../BalanceChip.tsx";
import { NotificationsBell } from "../NotificationsBell.tsx";
import { AccountMenu } from "./account-menu.tsx";
import { CommandPalette, isMac, usePaletteShortcut } from "./command-palette.tsx";
import { Icon } from "./icons.tsx";
import { NavDrawer } from "./nav-drawer.tsx";
import { DesktopNav } from "./nav-menus.tsx";
import s from "./shell.module.css";

/**
 * The header: one row at every width. On desktop the groups are menus; on a phone they move into a
 * drawer. The search button (or Ctrl/⌘K) opens the command palette.
 */
export function SiteHeader({ me }: { me: Me | null }) {
  const [paletteOpen, setPaletteOpen] = useState(false);
  const toggle = useCallback(() => setPaletteOpen((open) => !open), []);
  usePaletteShortcut(me ? toggle : noop);
  const shortcut = isMac() ? "⌘K" : "Ctrl K";

  return (
    <header className={s.header}>
      <div className={s.inner}>
        {me && <NavDrawer />}
        <Link to="/" className={s.brand} aria-label="Inkwell home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span className={s.brandName}>Inkwell</span>
        </Link>
        {me ? (
          <>
            <DesktopNav />
            <div className={s.actions}>
              <button
                type="button"
                className={s.search}
                onClick={() => setPaletteOpen(true)}
                aria-keyshortcuts="Control+K Meta+K"
              >
                <Icon name="search" size={18} />
                <span className={s.searchLabel}>Go to a page</span>
                <kbd className={s.kbd}>{shortcut}</kbd>
              </button>
              <BalanceChip />
              <NotificationsBell />
              <AccountMenu me={me} />
            </div>
            <CommandPalette open={paletteOpen} onOpenChange={setPaletteOpen} />
          </>
        ) : (
          <nav aria-label="Account" className={s.guest}>
            <NavLink to="/sign-in" className="btn btn-ghost btn-small">
              Sign in
            </NavLink>
            <NavLink to="/sign-up" className="btn btn-primary btn-small">
              Create account
            </NavLink>
          </nav>
        )}
      </div>
    </header>
  );
}

const noop = () => {};
