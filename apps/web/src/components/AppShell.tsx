import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Outlet, ScrollRestoration, useLocation } from "react-router";
import { meQuery } from "../lib/api.ts";
import { applyTheme, readPreferences } from "../lib/preferences.ts";
import { AnnouncementBanner } from "./shell/announcement-banner.tsx";
import { SiteHeader } from "./shell/site-header.tsx";
import { ToastProvider } from "./ui/toast.tsx";
import { VerifyBanner } from "./VerifyBanner.tsx";

/** Header, e-mail banner and the page; moves focus to the new page's heading after navigation. */
export function AppShell() {
  const me = useQuery(meQuery()).data ?? null;
  const theme = me ? readPreferences(me.preferences).theme : null;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);
  useFocusOnNavigation();

  return (
    <ToastProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <SiteHeader me={me} />
      {me && !me.emailVerified && <VerifyBanner me={me} />}
      <AnnouncementBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Inkwell — your AI workspace for writing, stories, content and study.</p>
      </footer>
      <ScrollRestoration />
    </ToastProvider>
  );
}

/**
 * After a client-side navigation, focus the page's h1 so screen readers announce the new page. Links
 * that switch a view within the page (tabs) pass `state={{ keepFocus: true }}` and keep focus on themselves.
 */
function useFocusOnNavigation() {
  const { pathname, state } = useLocation();
  const keepFocus = (state as { keepFocus?: boolean } | null)?.keepFocus === true;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (keepFocus) return;
    const main = document.getElementById("main");
    const heading = main?.querySelector<HTMLElement>("h1");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    } else main?.focus({ preventScroll: true });
  }, [pathname]);
}
