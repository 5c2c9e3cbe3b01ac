import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signIn, type Person } from "./support";
import { seedWorld, WORLD_PASSWORD, type World } from "./world";

/**
 * Every page, as each kind of person sees it, on a phone: nothing wider than the screen at
 * 390 px, and axe-core (WCAG 2.0–2.2 A and AA rules) finds no serious or critical violation. Each
 * role's first page is checked at desktop width too, where the header shows all its links and
 * tables are tables.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

type Role = "anonymous" | keyof World["people"];
type PageCase = { path: string; name: string; status?: number };

function pagesOf(role: Role, w: World): PageCase[] {
  const event = `/dashboard/events/${w.event.id}`;
  const order = `/orders/${w.orderId}`;
  switch (role) {
    case "anonymous":
      return [
        { name: "home", path: "/" },
        { name: "event page, signed out", path: `/events/${w.event.slug}` },
        { name: "sign in, sent from an order link", path: `/signin?callbackUrl=${encodeURIComponent(order)}` },
        { name: "register", path: "/register" },
        { name: "an emailed ticket link", path: `/link?token=${w.links.fresh}` },
        { name: "an emailed link already used", path: `/link?token=${w.links.used}` },
        { name: "an invitation to a team", path: `/link?token=${w.links.invitation}` },
        { name: "an emailed link that isn't valid", path: "/link?token=made-up" },
        { name: "ticket link signed out", path: `/tickets/${w.orderId}`, status: 401 },
        { name: "unknown address", path: "/no-such-page", status: 404 },
      ];
    case "buyer":
      return [
        { name: "event page with checkout", path: `/events/${w.event.slug}` },
        { name: "order page, just placed", path: `${order}?placed=1` },
        { name: "my tickets", path: "/tickets" },
        { name: "devices", path: "/devices" },
        { name: "account", path: "/account" },
        { name: "dashboard without events", path: "/dashboard" },
        { name: "new event", path: "/dashboard/events/new" },
        { name: "someone else's event dashboard", path: event, status: 403 },
        { name: "unknown order", path: "/orders/AAAAAAAAAAAAAAAAAAAAAA", status: 404 },
      ];
    case "holder":
      return [
        { name: "order page, own ticket only", path: order },
        { name: "order page, ticket shown", path: `${order}?ticket=${w.holderAttendeeId}` },
        { name: "my tickets", path: "/tickets" },
      ];
    case "owner":
      return [
        { name: "dashboard", path: "/dashboard" },
        { name: "event overview and attendees", path: event },
        { name: "orders", path: `${event}/orders` },
        { name: "team", path: `${event}/team` },
        { name: "audit log", path: `${event}/audit` },
        { name: "check-in", path: `${event}/checkin` },
        { name: "settings", path: `${event}/settings` },
      ];
    case "registrar":
      return [
        { name: "dashboard", path: "/dashboard" },
        { name: "check-in", path: `${event}/checkin` },
      ];
    case "staff":
      return [
        { name: "admin console", path: "/admin" },
        { name: "event overview, read-only", path: event },
        { name: "orders, read-only", path: `${event}/orders` },
      ];
    case "stranger":
      return [
        { name: "someone else's order", path: order, status: 403 },
        { name: "admin console, not staff", path: "/admin", status: 403 },
      ];
  }
}

/** axe's serious and critical findings, one line each, so a failure says what and where. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((node) => `${v.id} (${v.impact}): ${node.target.join(" ")}: ${node.failureSummary?.split("\n").slice(1).join(" ")}`));
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Loads a page and waits until its client-side lists have loaded. */
async function open(page: Page, pageCase: PageCase) {
  const response = await page.goto(pageCase.path);
  expect(response?.status(), pageCase.path).toBe(pageCase.status ?? 200);
  await expect(page.getByText(/^Loading\b/)).toHaveCount(0);
}

let world: World;

test.beforeAll(async () => {
  world = await seedWorld("pages");
});

const ROLES: Role[] = ["anonymous", "buyer", "holder", "owner", "registrar", "staff", "stranger"];

for (const role of ROLES) {
  test(`every page as ${role} fits a phone and passes axe`, async ({ page }) => {
    await page.setViewportSize(PHONE);
    if (role !== "anonymous") await signIn(page, world.people[role] as Person, WORLD_PASSWORD);
    const problems: string[] = [];
    for (const [index, pageCase] of pagesOf(role, world).entries()) {
      await open(page, pageCase);
      const overflow = await horizontalOverflow(page);
      if (overflow > 0) problems.push(`${pageCase.name} (${pageCase.path}): ${overflow} px wider than a 390 px screen`);
      for (const line of await seriousViolations(page)) problems.push(`${pageCase.name} at 390 px: ${line}`);
      if (index === 0) {
        await page.setViewportSize(DESKTOP);
        for (const line of await seriousViolations(page)) problems.push(`${pageCase.name} at 1280 px: ${line}`);
        await page.setViewportSize(PHONE);
      }
    }
    expect(problems).toEqual([]);
  });
}

test("on a phone the header's links are behind a menu that opens, passes axe, and closes on Escape and on navigation", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, world.people.owner, WORLD_PASSWORD);
  const main = page.getByRole("navigation", { name: "Main" });
  const menu = main.getByRole("button", { name: "Menu" });
  await expect(main.getByRole("link", { name: "Dashboard" })).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  for (const name of ["Events", "My tickets", "Dashboard", "Devices"]) await expect(main.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(main.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

  // Escape closes it and hands focus back to the button.
  await main.getByRole("link", { name: "Devices" }).focus();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toBeFocused();

  await menu.click();
  await main.getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  // The row actions a registrar or organizer needs are on the screen, not off to the side.
  const manage = page.getByRole("link", { name: `Manage ${world.event.name}` });
  await expect(manage).toBeInViewport();
});

test("on a phone the check-in screen shows the code field and camera first", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, world.people.registrar, WORLD_PASSWORD);
  await page.goto(`/dashboard/events/${world.event.id}/checkin`);
  const code = page.getByLabel("Ticket code");
  const camera = page.getByRole("button", { name: "Scan with camera" });
  await expect(code).toBeInViewport();
  await expect(camera).toBeInViewport();
  const top = async (locator: typeof code) => (await locator.boundingBox())!.y;
  expect(await top(code)).toBeLessThan(await top(page.getByTestId("checkin-result")));
  expect(await top(camera)).toBeLessThan(await top(page.getByTestId("checkin-counter")));
});
