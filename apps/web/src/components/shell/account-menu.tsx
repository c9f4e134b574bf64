import { DropdownMenu } from "radix-ui";
import { Link, useLocation } from "react-router";
import type { Me } from "../../lib/api.ts";
import { Avatar } from "../Avatar.tsx";
import { ACCOUNT, isCurrent } from "./nav-items.ts";
import s from "./shell.module.css";
import { useSignOut } from "./use-sign-out.ts";

/** The avatar's menu: profile, settings, credits and signing out. */
export function AccountMenu({ me }: { me: Me }) {
  const { pathname } = useLocation();
  const signOut = useSignOut();
  const name = me.displayName || me.email;
  return (
    <DropdownMenu.Root modal={false}>
      {/* Named by its content (not aria-label), so what is read out is what is shown. */}
      <DropdownMenu.Trigger className={s.accountTrigger}>
        <Avatar url={me.avatarUrl} name={me.displayName} email={me.email} size={30} />
        <span className="visually-hidden">Account: </span>
        <span className={s.accountName}>{name}</span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className={s.menu} align="end" sideOffset={6} loop>
          <DropdownMenu.Label className={s.menuLabel}>
            {me.displayName && <strong>{me.displayName}</strong>}
            {me.email}
          </DropdownMenu.Label>
          <DropdownMenu.Separator className={s.menuSeparator} />
          {ACCOUNT.items.map((item) => (
            <DropdownMenu.Item key={item.to} asChild className={s.menuItem}>
              <Link to={item.to} aria-current={isCurrent(item, pathname) ? "page" : undefined}>
                {item.label}
              </Link>
            </DropdownMenu.Item>
          ))}
          {/* Feedback for everyone; Admin only for administrators (the API refuses admin calls to others anyway). */}
          {[{ to: "/feedback", label: "Feedback" }, ...(me.role === "admin" ? [{ to: "/admin", label: "Admin" }] : [])].map(
            (item) => (
              <DropdownMenu.Item key={item.to} asChild className={s.menuItem}>
                <Link to={item.to} aria-current={pathname === item.to ? "page" : undefined}>
                  {item.label}
                </Link>
              </DropdownMenu.Item>
            ),
          )}
          <DropdownMenu.Separator className={s.menuSeparator} />
          <DropdownMenu.Item className={s.menuItem} disabled={signOut.isPending} onSelect={() => signOut.mutate()}>
            Sign out
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
