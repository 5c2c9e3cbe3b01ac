import path from "node:path";
import { expect, test } from "@playwright/test";
import { signIn } from "./support";
import { seedWorld, WORLD_PASSWORD, type World } from "./world";

/**
 * The README's pictures, taken from the running app so they show what it looks like today:
 * `npm run screenshots` (SCREENSHOTS=1) writes docs/screenshots/*.png. Skipped in `npm test`.
 */

const OUT = path.resolve("docs/screenshots");
const PHONE = { width: 390, height: 844 };

test.skip(process.env.SCREENSHOTS !== "1", "set SCREENSHOTS=1 (npm run screenshots) to refresh the README's pictures");

let world: World;

test.beforeAll(async () => {
  world = await seedWorld();
});

test("the order page, on a phone", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, world.people.buyer, WORLD_PASSWORD);
  await page.goto(`/orders/${world.orderId}?placed=1`);
  await expect(page.getByText("Your order is complete.")).toBeVisible();
  await page.screenshot({ path: path.join(OUT, "order.png"), fullPage: true });
});

test("the check-in screen, on a phone, after a scan", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, world.people.registrar, WORLD_PASSWORD);
  await page.goto(`/dashboard/events/${world.event.id}/checkin`);
  await page.getByLabel("Ticket code").fill(world.holderCode);
  await page.getByRole("button", { name: "Check in" }).click();
  await expect(page.getByTestId("checkin-result")).toContainText(`Checked in: ${world.people.holder.name}`);
  // The field is ready for the next person; the picture shows the answer, not a blinking cursor.
  await page.getByLabel("Ticket code").blur();
  await page.screenshot({ path: path.join(OUT, "checkin.png"), fullPage: true });
});

test("the event dashboard with its chart", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await signIn(page, world.people.owner, WORLD_PASSWORD);
  await page.goto(`/dashboard/events/${world.event.id}`);
  await expect(page.getByTestId("activity-chart")).toBeVisible();
  await expect(page.getByTestId("attendee-row").first()).toBeVisible();
  await page.screenshot({ path: path.join(OUT, "dashboard.png") });
});
