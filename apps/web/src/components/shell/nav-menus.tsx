import { DropdownMenu } from "radix-ui";
import { Link, NavLink, useLocation } from "react-router";
import { Icon } from "./icons.tsx";
import {
  CHAT,
  groupIsCurrent,
  HOME,
  isCurrent,
  LATER,
  type NavGroup,
  PUBLISH,
  STORIES,
  STUDIO,
  STUDY,
  WRITE,
} from "./nav-items.ts";
import s from "./shell.module.css";

/** The desktop navigation: Home, the Write and Publish menus, Chat, the Stories and Studio menus, and what is still to come. */
export function DesktopNav() {
  return (
    <nav aria-label="Main" className={s.nav}>
      <NavLink to={HOME.to} end className={s.navLink}>
        {HOME.label}
      </NavLink>
      <GroupMenu group={WRITE} />
      <GroupMenu group={PUBLISH} />
      <NavLink to={CHAT.to} className={s.navLink}>
        {CHAT.label}
      </NavLink>
      <GroupMenu group={STORIES} />
      <GroupMenu group={STUDIO} />
      <GroupMenu group={STUDY} />
      {LATER.map((name) => (
        // Not links: these workspaces are not built yet, and say so.
        <span key={name} className={s.later}>
          {name} <span className={s.soon}>soon</span>
        </span>
      ))}
    </nav>
  );
}

/**
 * A group's pages in a menu (Radix: arrow keys, typeahead, Escape, focus return). A group of one page
 * (a workspace just started) is a plain link: a menu of one item would only cost a click.
 */
function GroupMenu({ group }: { group: NavGroup }) {
  const only = group.items.length === 1 ? group.items[0] : undefined;
  if (only)
    return (
      <NavLink to={only.to} end={!only.prefix} className={s.navLink}>
        {group.label}
      </NavLink>
    );
  return <GroupDropdown group={group} />;
}

function GroupDropdown({ group }: { group: NavGroup }) {
  const { pathname } = useLocation();
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger className={s.trigger} data-current={groupIsCurrent(group, pathname) || undefined}>
        {group.label}
        <Icon name="chevron" size={16} className={s.chevron} />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className={s.menu} align="start" sideOffset={6} loop>
          {group.items.map((item) => (
            <DropdownMenu.Item key={item.to} asChild className={s.menuItem}>
              <Link to={item.to} aria-current={isCurrent(item, pathname) ? "page" : undefined}>
                {item.label}
              </Link>
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
