import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { registerViaApi, signIn, verifyViaApi } from "./support";

/**
 * The door and the event after creation, end to end: a registrar admits a guest whose QR code
 * won't read by finding them by name, takes the check-in back with a reason, and admits someone
 * by typing their short door code; an organizer raises a quantity and adds a ticket type from the
 * settings, and a buyer buys exactly the new type.
 */

const DATABASE = path.resolve(".e2e-data/admit.db");
const PASSWORD = "door-password-1234";
const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const organizer = { name: "Orla Organizer", email: `orla-${suffix}@e2e.test` };
const registrar = { name: "Rex Registrar", email: `rex-${suffix}@e2e.test` };
const buyer = { name: "Bianca Buyer", email: `bianca-${suffix}@e2e.test` };
const guest = { name: "Grace Guest", email: `grace-${suffix}@e2e.test` };
const other = { name: "Otto Other", email: `otto-${suffix}@e2e.test` };
const eventName = `Door Codes Conf ${suffix}`;

test.describe.configure({ mode: "serial" });

let eventId = "";
let eventSlug = "";

/** A tRPC mutation as the signed-in browser sends it (same-origin JSON). */
async function mutate(page: Page, baseURL: string, path: string, input: unknown) {
  const response = await page.request.post(`/api/trpc/${path}`, { headers: { origin: baseURL, "content-type": "application/json" }, data: input });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: Record<string, unknown> } }).result.data;
}

/** The short code printed on a ticket's PDF; the test reads it from the database. */
function doorCodeOf(email: string): string {
  const db = new Database(DATABASE, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT door_code AS code FROM attendees WHERE email_normalized = ?").get(email.toLowerCase()) as { code: string }).code;
  } finally {
    db.close();
  }
}

test("setup: an event with a registrar and two guests", async ({ page, baseURL }) => {
  // Each confirms their email from the session that registered (so the password stays): creating
  // events needs a proven email, and the registrar joins by an emailed invitation.
  for (const person of [organizer, registrar, buyer]) {
    await registerViaApi(page.request, baseURL!, person, PASSWORD);
    await verifyViaApi(page.request, baseURL!, person.email);
  }
  await signIn(page, organizer, PASSWORD);
  const created = await mutate(page, baseURL!, "events.create", {
    name: eventName,
    venue: "Hall 4",
    startsAtLocal: "2030-09-01T09:00",
    endsAtLocal: "2030-09-01T18:00",
    timeZone: "Europe/Berlin",
    published: true,
    ticketTypes: [{ name: "General", priceCents: 0, quantity: 50 }],
  });
  eventId = String(created.id);
  eventSlug = String(created.slug);
  await mutate(page, baseURL!, "team.add", { eventId, email: registrar.email, role: "registrar" });
  const ticketTypeId = (await page.request.get(`/api/trpc/events.bySlug?input=${encodeURIComponent(JSON.stringify({ slug: eventSlug }))}`).then((r) => r.json())).result.data.ticketTypes[0].id;
  await mutate(page, baseURL!, "orders.place", {
    eventId,
    items: [{ ticketTypeId, quantity: 2 }],
    attendees: [
      { ticketTypeId, ...guest },
      { ticketTypeId, ...other },
    ],
  });
  // The registrar accepts the invitation team.add mailed them.
  await verifyViaApi(page.request, baseURL!, registrar.email, /invited/i);
});

test("a registrar finds a guest by name and checks them in, then undoes it", async ({ page }) => {
  await signIn(page, registrar, PASSWORD);
  await page.goto(`/dashboard/events/${eventId}/checkin`);
  await expect(page.getByTestId("checkin-counter")).toHaveText("0 / 2");

  await page.getByLabel("Name, email or order").fill("grace");
  const found = page.getByTestId("guest");
  await expect(found).toHaveCount(1);
  await expect(found).toContainText("Grace Guest");
  await expect(found).toContainText("General · Not checked in");
  // The door sees names and ticket types, never emails.
  await expect(page.getByText(guest.email)).toHaveCount(0);
  await found.getByRole("button", { name: "Check in Grace Guest" }).click();
  await expect(page.getByTestId("checkin-result")).toHaveText("Checked in: Grace Guest — General");
  await expect(page.getByTestId("checkin-counter")).toHaveText("1 / 2");
  await expect(found).toContainText(/Checked in \d{2}:\d{2}/);
  await expect(page.getByTestId("recent-scans")).toContainText("Grace Guest");

  // Undo, with a reason: asked for, then recorded.
  await found.getByRole("button", { name: "Undo Grace Guest's check-in" }).click();
  const dialog = page.getByRole("dialog", { name: "Undo Grace Guest's check-in?" });
  await dialog.getByRole("button", { name: "Undo check-in" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Say why the check-in is undone");
  await dialog.getByLabel("Reason").fill("Checked in the wrong Grace");
  await dialog.getByRole("button", { name: "Undo check-in" }).click();
  await expect(page.getByTestId("checkin-result")).toHaveText(/Check-in undone: Grace Guest/);
  await expect(page.getByTestId("checkin-counter")).toHaveText("0 / 2");
  await expect(found).toContainText("Not checked in");

  // The short door code, typed the way people type it: lower case, a dash, O for 0.
  const typed = doorCodeOf(other.email).toLowerCase().replace(/^(.{5})/, "$1-").replaceAll("0", "o");
  const code = page.getByLabel("Ticket code");
  await code.fill(typed);
  await code.press("Enter");
  await expect(page.getByTestId("checkin-result")).toHaveText("Checked in: Otto Other — General");
  await expect(page.getByTestId("checkin-counter")).toHaveText("1 / 2");
});

test("the organizer's audit log has the undo and its reason", async ({ page }) => {
  await signIn(page, organizer, PASSWORD);
  await page.goto(`/dashboard/events/${eventId}/audit`);
  await expect(page.getByTestId("audit-entry").filter({ hasText: `${registrar.name} undid Grace Guest's check-in: “Checked in the wrong Grace”` })).toHaveCount(1);
  await expect(page.getByTestId("event-figures")).toContainText("2 / 50 sold · 1 checked in");
});

test("an organizer raises a quantity and adds a ticket type, a buyer buys it", async ({ page }) => {
  await signIn(page, organizer, PASSWORD);
  await page.goto(`/dashboard/events/${eventId}/settings`);

  const general = page.getByRole("form", { name: "Ticket type General" });
  await general.getByLabel("On sale (quantity)").fill("1");
  await general.getByRole("button", { name: "Save" }).click();
  await expect(general.getByRole("alert")).toHaveText("2 are already sold; put at least 2 on sale");
  await general.getByLabel("On sale (quantity)").fill("60");
  await general.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("“General” is saved.")).toBeVisible();
  await expect(page.getByTestId("event-figures")).toContainText("2 / 60 sold");

  const added = page.getByRole("form", { name: "New ticket type" });
  await added.getByLabel("Name").fill("Workshop");
  await added.getByLabel("Price (EUR)").fill("15.00");
  await added.getByLabel("On sale (quantity)").fill("10");
  await added.getByLabel("Limit per order (optional)").fill("2");
  await added.getByRole("button", { name: "Add ticket type" }).click();
  await expect(page.getByText("The new ticket type is on the event page.")).toBeVisible();
  await expect(page.getByRole("form", { name: "Ticket type Workshop" })).toBeVisible();
  await expect(page.getByTestId("event-figures")).toContainText("2 / 70 sold");

  // The buyer sees the new type with its limit, and nothing is chosen for them.
  await page.context().clearCookies();
  await signIn(page, buyer, PASSWORD);
  await page.goto(`/events/${eventSlug}`);
  const workshopRow = page.getByTestId("ticket-type").filter({ hasText: "Workshop" });
  await expect(workshopRow).toContainText("€15.00 · 10 left · up to 2 per order");
  await expect(page.getByLabel("General")).toHaveValue("0");
  await expect(page.getByLabel("Workshop").locator("option")).toHaveText(["0", "1", "2"]);
  await page.getByLabel("Workshop").selectOption("2");
  await expect(page.getByTestId("attendee-row")).toHaveCount(2);
  await expect(page.getByTestId("attendee-row").first()).toContainText("Ticket 1: Workshop");
  await expect(page.getByText("Total €30.00")).toBeVisible();
  await page.getByLabel("Attendee 2 name").fill("Ben Buyer-Friend");
  await page.getByLabel("Attendee 2 email").fill(`ben-${suffix}@e2e.test`);
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText("Your order is complete.")).toBeVisible();
  const rows = page.getByTestId("attendee");
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) await expect(row).toContainText("Workshop");
});
