/** Browser-test helpers for the app shell's grouped navigation (desktop widths). */
import type { Page } from "playwright-core";

/**
 * Open a page through the header the way a person does: the group's menu (Write, Publish) or the
 * account menu, then the item.
 */
export async function goTo(page: Page, group: "Write" | "Publish" | "Account", item: string) {
  const header = page.getByRole("banner");
  const trigger =
    group === "Account"
      ? header.getByRole("button", { name: /^Account:/ })
      : page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: group, exact: true });
  await trigger.click();
  await page.getByRole("menu").getByRole("menuitem", { name: item, exact: true }).click();
}
