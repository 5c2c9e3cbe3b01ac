import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { chromium, expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { writeQrVideo } from "./fake-camera";
import { DATABASE_FILE, emailLink, registerViaApi, signIn, verifyViaApi, type Person } from "./support";

/**
 * The organizer dashboard and the door, end to end against the production build: an organizer
 * creates and publishes an event, buys a ticket, and adds a registrar by email on the Team tab;
 * the registrar signs in, sees only Check-in, types the ticket's code ("Checked in") and types it
 * again ("Already checked in at …"), then scans a second ticket with a (fake) camera. The
 * registrar can't open the rest of the dashboard, and a stranger gets the 403 page.
 */

const PASSWORD = "dashboard-password-123";
const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const organizer = { name: "Olivia Organizer", email: `olivia-${suffix}@e2e.test` };
const registrar = { name: "Reggie Registrar", email: `reggie-${suffix}@e2e.test` };
const stranger = { name: "Sid Stranger", email: `sid-${suffix}@e2e.test` };
const attendee = { name: "Bob Attendee", email: `bob-${suffix}@e2e.test` };
const secondAttendee = { name: "Cara Attendee", email: `cara-${suffix}@e2e.test` };
const eventName = `Door Conf ${suffix}`;

const signInAs = (page: Page, person: Person) => signIn(page, person, PASSWORD);
const register = (request: APIRequestContext, baseURL: string, person: Person) => registerViaApi(request, baseURL, person, PASSWORD);

/** The check-in secret is printed only in the ticket PDF's QR code; the test reads it from the database. */
function checkInSecretOf(attendeeEmail: string): string {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT checkin_secret AS secret FROM attendees WHERE email_normalized = ?").get(attendeeEmail.toLowerCase()) as { secret: string } | undefined;
    if (!row) throw new Error(`no attendee ${attendeeEmail}`);
    return row.secret;
  } finally {
    db.close();
  }
}

test.describe.configure({ mode: "serial" });

let eventId = "";

test("an organizer runs an event from the dashboard and adds a registrar by email", async ({ page, baseURL, browser }) => {
  // The registrar has a confirmed account before being invited (confirmed from the context that
  // registered, so its password stays); the stranger an account too, for the last test.
  await register(page.request, baseURL!, registrar);
  await verifyViaApi(page.request, baseURL!, registrar.email);
  await register(page.request, baseURL!, stranger);
  await register(page.request, baseURL!, organizer);
  // Creating and publishing events needs a proven email.
  await verifyViaApi(page.request, baseURL!, organizer.email);
  await signInAs(page, organizer);

  // Create and publish an event.
  await page.goto("/dashboard/events/new");
  await page.getByLabel("Event name").fill(eventName);
  await page.getByLabel("Venue").fill("Hall 2");
  await page.getByLabel("Starts").fill("2030-06-01T09:00");
  await page.getByLabel("Ends").fill("2030-06-01T18:00");
  await page.getByLabel("Time zone (where the event happens)").selectOption("Europe/Berlin");
  await page.getByLabel("Ticket type 1 name").fill("General admission");
  await page.getByLabel("Price").fill("0");
  await page.getByLabel("On sale").fill("50");
  await page.getByLabel(/Publish now/).check();
  await page.getByRole("button", { name: "Create event" }).click();
  await expect(page.getByRole("heading", { level: 1, name: eventName })).toBeVisible();

  // Buy two tickets, for Bob and Cara.
  await page.getByLabel(/^General admission/).selectOption("2");
  await page.getByLabel("Attendee 1 name").fill(attendee.name);
  await page.getByLabel("Attendee 1 email").fill(attendee.email);
  await page.getByLabel("Attendee 2 name").fill(secondAttendee.name);
  await page.getByLabel("Attendee 2 email").fill(secondAttendee.email);
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText("Your order is complete.")).toBeVisible();

  // The dashboard's figures, and the way into the event.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  const row = page.getByTestId("my-event").filter({ hasText: eventName });
  await expect(row).toContainText("2 / 50");
  await row.getByRole("link", { name: `Manage ${eventName}` }).click();
  await expect(page).toHaveURL(/\/dashboard\/events\/[\w-]{22}$/);
  eventId = new URL(page.url()).pathname.split("/")[3];

  // Attendees with their emails; the server-side search narrows them down.
  await expect(page.getByTestId("attendee-row")).toHaveCount(2);
  await expect(page.getByTestId("attendee-row").first()).toContainText(attendee.email);
  await page.getByLabel("Search").fill("nobody-like-this");
  await expect(page.getByText("No attendees match these filters.")).toBeVisible();
  await page.getByLabel("Search").fill("bob");
  await expect(page.getByTestId("attendee-row")).toHaveCount(1);
  await expect(page.getByTestId("attendee-row")).toContainText(attendee.name);
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveAttribute("href", `/api/events/${eventId}/attendees.csv?search=bob`);

  // Team: inviting someone already on it is named as such; the registrar is invited by email.
  await page.getByRole("navigation", { name: "Event sections" }).getByRole("link", { name: "Team" }).click();
  await expect(page.getByTestId("team-member")).toHaveCount(1);
  await page.getByLabel("Email").fill(organizer.email);
  await page.getByLabel("Role", { exact: true }).selectOption("registrar");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.locator("#member-email-error")).toContainText("already on the team as owner");
  await page.getByLabel("Email").fill(registrar.email.toUpperCase());
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("team-invitation")).toContainText(registrar.email);

  // The registrar accepts from the emailed link, in their own browser, and is on the team.
  const registrarBrowser = await browser.newContext();
  const registrarPage = await registrarBrowser.newPage();
  await registrarPage.goto(await emailLink(registrar.email, /invited/i));
  await expect(registrarPage.getByRole("heading", { name: `Join the team of ${eventName}` })).toBeVisible();
  await registrarPage.getByRole("button", { name: "Accept the invitation" }).click();
  await registrarPage.waitForURL((url) => url.pathname === "/dashboard");
  await registrarBrowser.close();
  await page.reload();
  await expect(page.getByTestId("team-invitation")).toHaveCount(0);
  await expect(page.getByTestId("team-member")).toHaveCount(2);
  await expect(page.getByLabel(`Role of ${registrar.name}`)).toHaveValue("registrar");
});

test("someone without an account accepts an invitation, and can be withdrawn before", async ({ page, browser }) => {
  expect(eventId).not.toBe("");
  await signInAs(page, organizer);
  await page.goto(`/dashboard/events/${eventId}/team`);
  const newcomer = `newcomer-${suffix}@e2e.test`;
  const withdrawn = `withdrawn-${suffix}@e2e.test`;
  for (const email of [newcomer, withdrawn]) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Role", { exact: true }).selectOption("organizer");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await expect(page.getByTestId("team-invitation").filter({ hasText: email })).toBeVisible();
  }
  await page.getByRole("button", { name: `Withdraw the invitation to ${withdrawn}` }).click();
  await expect(page.getByTestId("team-invitation")).toHaveCount(1);

  const guest = await browser.newContext();
  const guestPage = await guest.newPage();
  await guestPage.goto(await emailLink(withdrawn, /invited/i));
  await expect(guestPage.getByRole("heading", { name: "This invitation is no longer valid" })).toBeVisible();
  await guestPage.goto(await emailLink(newcomer, /invited/i));
  await guestPage.getByRole("button", { name: "Accept the invitation" }).click();
  await guestPage.waitForURL((url) => url.pathname === "/dashboard");
  await expect(guestPage.getByRole("link", { name: `Manage ${eventName}` })).toBeVisible();
  await guest.close();
  await page.reload();
  await expect(page.getByLabel(`Role of ${newcomer.split("@")[0]}`)).toHaveValue("organizer");
});

test("the registrar sees only check-in and checks the ticket in by typing its code", async ({ page }) => {
  expect(eventId).not.toBe("");
  await signInAs(page, registrar);

  // Only "Check-in" is offered for this event.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  const row = page.getByTestId("my-event").filter({ hasText: eventName });
  await expect(row).toContainText("registrar");
  await expect(row.getByRole("link", { name: `Manage ${eventName}` })).toHaveCount(0);
  await row.getByRole("link", { name: `Check-in for ${eventName}` }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/events/${eventId}/checkin$`));
  await expect(page.getByRole("navigation", { name: "Event sections" })).toHaveCount(0);
  await expect(page.getByText(attendee.email)).toHaveCount(0);
  await expect(page.getByTestId("checkin-counter")).toHaveText("0 / 2");

  const code = page.getByLabel("Ticket code");
  await expect(code).toBeFocused();
  await code.fill(checkInSecretOf(attendee.email));
  await page.getByRole("button", { name: "Check in" }).click();
  await expect(page.getByTestId("checkin-result")).toHaveText(`Checked in: ${attendee.name} — General admission`);
  // Ready for the next person: empty, focused, and counted.
  await expect(code).toHaveValue("");
  await expect(code).toBeFocused();
  await expect(page.getByTestId("checkin-counter")).toHaveText("1 / 2");

  // The same code again (Enter, as a handheld scanner sends it).
  await code.fill(checkInSecretOf(attendee.email));
  await code.press("Enter");
  await expect(page.getByTestId("checkin-result")).toContainText(new RegExp(`Already checked in at \\d{2}:\\d{2} by ${registrar.name}`));
  await expect(page.getByTestId("checkin-result")).toContainText(attendee.name);

  await code.fill("AAAAAAAAAAAAAAAAAAAAAA");
  await code.press("Enter");
  await expect(page.getByTestId("checkin-result")).toContainText("No ticket with this code");

  // The rest of the dashboard sends a registrar back to the door, with no attendee emails on the way.
  for (const section of ["", "/orders", "/team", "/audit"]) {
    await page.goto(`/dashboard/events/${eventId}${section}`);
    await expect(page).toHaveURL(new RegExp(`/dashboard/events/${eventId}/checkin$`));
    await expect(page.getByText(attendee.email)).toHaveCount(0);
  }
  const csv = await page.request.get(`/api/events/${eventId}/attendees.csv`, { headers: { accept: "application/json" } });
  expect(csv.status()).toBe(403);
});

test("the registrar scans a ticket's QR code with the camera", async ({ baseURL }) => {
  // Chromium's fake camera plays a video of the second ticket's QR code.
  const video = path.join(mkdtempSync(path.join(tmpdir(), "admit-camera-")), "qr.y4m");
  writeQrVideo(checkInSecretOf(secondAttendee.email), video);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const context = await browser.newContext({ baseURL, permissions: ["camera"] });
    const page = await context.newPage();
    await signInAs(page, registrar);
    await page.goto(`/dashboard/events/${eventId}/checkin`);
    await page.getByRole("button", { name: "Scan with camera" }).click();
    await expect(page.getByLabel("Camera view")).toBeVisible();
    await expect(page.getByTestId("checkin-result")).toHaveText(`Checked in: ${secondAttendee.name} — General admission`);
    await expect(page.getByTestId("checkin-counter")).toHaveText("2 / 2");
    // The code stays in view: that is still the same person, not a second scan.
    await page.waitForTimeout(1_000);
    await expect(page.getByTestId("checkin-result")).toHaveText(`Checked in: ${secondAttendee.name} — General admission`);
    await page.getByRole("button", { name: "Stop camera" }).click();
    await expect(page.getByRole("button", { name: "Scan with camera" })).toBeVisible();
  } finally {
    await browser.close();
  }
});

test("the organizer's audit log tells what happened", async ({ page }) => {
  await signInAs(page, organizer);
  await page.goto(`/dashboard/events/${eventId}/audit`);
  const entries = page.getByTestId("audit-entry");
  await expect(entries.first()).toContainText(`${registrar.name} checked in ${secondAttendee.name}`);
  await expect(entries.filter({ hasText: `${registrar.name} scanned an unknown code` })).toHaveCount(1);
  await expect(entries.filter({ hasText: `${registrar.name} scanned ${attendee.name} again: already checked in` })).toHaveCount(1);
  await expect(entries.filter({ hasText: `${registrar.name} checked in ${attendee.name}` })).toHaveCount(1);
  await expect(entries.filter({ hasText: `${organizer.name} invited ${registrar.email} to the team as registrar` })).toHaveCount(1);
  await expect(entries.filter({ hasText: `${registrar.name} accepted the invitation and joined the team as registrar` })).toHaveCount(1);
  await expect(page.getByTestId("event-figures")).toContainText("2 / 50 sold · 2 checked in");
});

test("someone off the team gets the 403 page", async ({ page }) => {
  await signInAs(page, stranger);
  for (const section of ["", "/checkin"]) {
    const response = await page.goto(`/dashboard/events/${eventId}${section}`);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You aren't on this event's team" })).toBeVisible();
    await expect(page.getByText(attendee.name)).toHaveCount(0);
  }
  const missing = await page.goto("/dashboard/events/AAAAAAAAAAAAAAAAAAAAAA");
  expect(missing?.status()).toBe(404);
  const admin = await page.goto("/admin");
  expect(admin?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Staff only" })).toBeVisible();
});

test("staff find any event in the console and see its dashboard read-only", async ({ page, request, baseURL }) => {
  const staff = { name: "Stella Staff", email: `stella-${suffix}@e2e.test` };
  await register(request, baseURL!, staff);
  // Roles are granted by an admin; here the test plays the operator (`npm run user:create --role`).
  const db = new Database(DATABASE_FILE, { fileMustExist: true });
  try {
    db.prepare("UPDATE users SET role = 'staff' WHERE email = ?").run(staff.email.toLowerCase());
  } finally {
    db.close();
  }
  await signInAs(page, staff);
  await page.goto("/admin");
  await page.getByLabel("Search users").getByRole("searchbox").fill(organizer.email);
  await expect(page.getByRole("table", { name: "Users" }).getByText(organizer.email)).toBeVisible();
  await page.getByLabel("Search events").getByRole("searchbox").fill(eventName);
  const row = page.getByTestId("admin-event-row").filter({ hasText: eventName });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("2 / 50");
  await row.getByRole("link", { name: eventName }).click();
  await expect(page.getByText("Staff view: read-only")).toBeVisible();
  await expect(page.getByText(attendee.name)).toBeVisible();
  // Read-only: no cancel or regenerate buttons for staff.
  await expect(page.getByRole("button", { name: /Cancel|New QR/ })).toHaveCount(0);
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await expect(page.getByTestId("order-row").first()).toContainText(organizer.email);
  await expect(page.getByRole("button", { name: /Cancel order|Mark paid/ })).toHaveCount(0);
});

test("the organizer edits the event's details and the event page shows them", async ({ page }) => {
  await signInAs(page, organizer);
  await page.goto(`/dashboard/events/${eventId}/settings`);
  const venue = page.getByLabel("Venue");
  await venue.fill("");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Enter the venue" })).toBeVisible();
  await venue.fill("Hall 9, Riverside");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.getByText("Saved. Tickets downloaded from now on show the new details.")).toBeVisible();
  await page.getByRole("link", { name: "Event page" }).click();
  await expect(page.getByText("Hall 9, Riverside").first()).toBeVisible();
});

test("a registrar gets no settings", async ({ page }) => {
  await signInAs(page, registrar);
  const response = await page.goto(`/dashboard/events/${eventId}/settings`);
  // A registrar is sent to the door; nothing of the settings form is shown.
  await expect(page).toHaveURL(new RegExp(`/dashboard/events/${eventId}/checkin$`));
  expect(response?.status()).toBe(200);
  await expect(page.getByLabel("Venue")).toHaveCount(0);
});
