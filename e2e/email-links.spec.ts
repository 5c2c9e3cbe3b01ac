import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import ICAL from "ical.js";
import { eq } from "drizzle-orm";
import { openDb } from "@/db/client";
import { attendees } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import { insertEvent } from "@/server/testing/inserts";
import { DATABASE_FILE, emailLink, signIn } from "./support";

/**
 * Attendee access by proven email, in a real browser against the production server: the ticket
 * holder's one click from the email to the PDF and the QR, the password reset by link, guest
 * checkout, registering and coming back, the calendar file.
 */

const PHONE = { width: 390, height: 844 };
const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const EVENT_NAME = `Link Conf ${suffix}`;
let event: { id: string; slug: string; ticketTypeId: string };

test.beforeAll(async () => {
  const db = openDb(DATABASE_FILE, { migrate: false });
  try {
    event = await insertEvent(db, EVENT_NAME, { event: { venue: "Pier 3, Harbour Street 1, Hamburg", startsAt: Date.UTC(2031, 4, 2, 8), endsAt: Date.UTC(2031, 4, 2, 16) }, ticketType: { name: "Day pass", priceCents: 0, quantity: 100 } });
  } finally {
    await db.$admit.close();
  }
});

async function secretOf(attendeeId: string): Promise<string> {
  const db = openDb(DATABASE_FILE, { migrate: false });
  try {
    const [attendee] = await db.select({ secret: attendees.checkinSecret }).from(attendees).where(eq(attendees.id, attendeeId)).limit(1);
    return attendee!.secret;
  } finally {
    await db.$admit.close();
  }
}

/** What a QR code in a PNG says, read by a real decoder. */
function decodeQr(png: Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "admit-qr-")), "qr.png");
  writeFileSync(file, png);
  return execFileSync("zbarimg", ["--raw", "-q", file], { encoding: "utf8" }).trim();
}

/** A guest order through the API the checkout form uses: mails go to the buyer and each holder. */
async function guestOrder(request: APIRequestContext, baseURL: string, buyer: { name: string; email: string }, holders: Array<{ name: string; email: string }>) {
  const people = [buyer, ...holders];
  const response = await request.post("/api/trpc/orders.place", {
    headers: { origin: baseURL, "content-type": "application/json" },
    data: {
      eventId: event.id,
      items: [{ ticketTypeId: event.ticketTypeId, quantity: people.length }],
      attendees: people.map((p) => ({ ticketTypeId: event.ticketTypeId, ...p })),
      buyer,
    },
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: { id: string } } }).result.data.id;
}

async function expectSignedInAs(page: Page, name: string) {
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
}

test("the holder's journey on a phone: from the email, one click downloads the ticket and shows its QR", async ({ browser, request, baseURL }) => {
  const holder = { name: "Hana Holder", email: `hana-${suffix}@e2e.test` };
  const orderId = await guestOrder(request, baseURL!, { name: "Ben Buyer", email: `ben-${suffix}@e2e.test` }, [holder]);

  // A fresh browser on a phone, never signed in: the link from the email.
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(await emailLink(holder.email, /your ticket/i));
  await expect(page.getByRole("heading", { name: `Your ticket for ${EVENT_NAME}` })).toBeVisible();
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Get my ticket" }).click();

  // The one click: signed in as the holder, the PDF downloads, the QR is on the screen.
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^ticket-[\w-]{22}\.pdf$/);
  const attendeeId = download.suggestedFilename().slice("ticket-".length, -".pdf".length);
  const pdf = await download.path();
  expect(readFileSync(pdf).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(execFileSync("pdfinfo", [pdf], { encoding: "utf8" })).toMatch(/^Pages:\s+1$/m);
  await expect(page).toHaveURL(new RegExp(`/orders/${orderId}\\?ticket=${attendeeId}$`));
  await expectSignedInAs(page, holder.name);
  const qr = page.getByTestId("ticket-qr").getByRole("img", { name: `QR code of ${holder.name}'s ticket` });
  await expect(qr).toBeVisible();
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const box = (await qr.boundingBox())!;
  expect(box.width).toBeGreaterThan(PHONE.width * 0.7);
  expect(decodeQr(await qr.screenshot())).toBe(await secretOf(attendeeId));
  // Only the holder's own ticket is on the page.
  await expect(page.getByTestId("attendee")).toHaveCount(1);

  // Add to calendar: a real iCalendar file of the event.
  const calendarDownload = page.waitForEvent("download");
  await page.getByRole("link", { name: "Add to calendar" }).click();
  const ics = readFileSync(await (await calendarDownload).path(), "utf8");
  const vevent = new ICAL.Event(new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent")!);
  expect(vevent.summary).toBe(EVENT_NAME);
  expect(vevent.location).toBe("Pier 3, Harbour Street 1, Hamburg");
  expect(vevent.startDate.toJSDate().toISOString()).toBe("2031-05-02T08:00:00.000Z");
  await expect(page.getByRole("link", { name: /Map of the venue/ })).toHaveAttribute("href", /openstreetmap\.org\/search\?query=Pier%203/);

  // The link is spent: opened again, it offers a new one in place, and one arrives.
  const link = await emailLink(holder.email, /your ticket/i);
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto(link);
  await expect(second.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  await second.getByRole("button", { name: "Email me a new link" }).click();
  await expect(second.getByRole("status")).toContainText("Check your inbox for the new link");
  await expect.poll(async () => (await emailLink(holder.email, /new link/i)) !== link).toBe(true);
  await Promise.all([context.close(), other.close()]);
});

test("a forgotten password costs one email: the old password dies and other devices are signed out", async ({ browser }) => {
  const person = { name: "Rosa Reset", email: `rosa-${suffix}@e2e.test` };
  const oldPassword = "the-forgotten-one";
  const db = openDb(DATABASE_FILE, { migrate: false });
  await createUser(db, { ...person, password: oldPassword, verified: true });
  await db.$admit.close();

  const laptop = await browser.newContext();
  const laptopPage = await laptop.newPage();
  await signIn(laptopPage, person, oldPassword);

  const phone = await browser.newContext({ viewport: PHONE });
  const page = await phone.newPage();
  await page.goto("/signin");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  const form = page.getByRole("form", { name: "Email me a sign-in link" });
  await form.getByLabel("Email").fill(person.email);
  await form.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Check your inbox" })).toContainText(person.email);

  await page.goto(await emailLink(person.email, /sign-in link/i));
  await expect(page.getByText("Your password will be removed")).toBeVisible();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await expectSignedInAs(page, person.name);

  // A new password, set without the old one.
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Set a password" })).toBeVisible();
  await page.getByLabel("New password (8 to 128 characters)").fill("the-new-password");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("main").getByRole("status").filter({ hasText: "Password set." })).toBeVisible();

  // The laptop was signed out by the link; the old password opens nothing, the new one does.
  await laptopPage.goto("/");
  await expect(laptopPage.getByTestId("signed-in-as")).toHaveCount(0);
  await laptopPage.goto("/signin");
  await laptopPage.getByLabel("Email").fill(person.email);
  await laptopPage.getByLabel("Password", { exact: true }).fill(oldPassword);
  await laptopPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(laptopPage.getByRole("main").getByRole("alert")).toHaveText("Email or password is wrong.");
  await signIn(laptopPage, person, "the-new-password");
  await Promise.all([laptop.close(), phone.close()]);
});

test("guest checkout: no account, name and email, and the order arrives by a link", async ({ page }) => {
  const guest = { name: "Gita Guest", email: `gita-${suffix}@e2e.test` };
  await page.setViewportSize(PHONE);
  await page.goto(`/events/${event.slug}`);
  await page.getByLabel("Your name").fill(guest.name);
  await page.getByLabel("Your email").fill(guest.email);
  // Every quantity starts at 0: one ticket.
  await page.getByTestId("ticket-type").first().getByRole("combobox").selectOption("1");
  // The first ticket is the guest's own, filled in from their details.
  await expect(page.getByLabel("Attendee 1 email")).toHaveValue(guest.email);
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Check your inbox" })).toContainText(guest.email);

  await page.goto(await emailLink(guest.email, /your ticket/i));
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Get my ticket" }).click();
  expect((await downloading).suggestedFilename()).toMatch(/^ticket-[\w-]{22}\.pdf$/);
  await expectSignedInAs(page, guest.name);
  await expect(page.getByTestId("order-identifier")).toBeVisible();
  await expect(page.getByTestId("attendee")).toContainText(guest.name);
});

test("registering from an event page signs in and comes back there; the banner goes once the email is confirmed", async ({ page }) => {
  const person = { name: "Rami Register", email: `rami-${suffix}@e2e.test` };
  await page.goto(`/events/${event.slug}`);
  await page.getByRole("link", { name: "create one" }).click();
  await page.waitForURL(/\/register\?callbackUrl=/);
  await page.getByLabel("Name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel(/^Password/).fill("rami-password-1");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((url) => url.pathname === `/events/${event.slug}`);
  await expectSignedInAs(page, person.name);
  const banner = page.getByText("Confirm your email address to see tickets");
  await expect(banner).toBeVisible();

  await page.goto(await emailLink(person.email, /confirm/i));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.waitForURL((url) => url.pathname === `/events/${event.slug}`);
  await expect(banner).toHaveCount(0);
  // Confirmed in the browser that registered: the password chosen then still works.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await signIn(page, person, "rami-password-1");
});
