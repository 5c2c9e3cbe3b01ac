import { expect, test, type Page } from "@playwright/test";
import { emailLink, signIn, type Person } from "./support";

/**
 * Events, checkout and the order-completion page, end to end against the production build:
 * a new user confirms their email, creates and publishes an event, buys two tickets (one for a
 * friend), lands on the completion page; the friend registers with the attendee address,
 * verifies it and sees only their own ticket.
 */

const PASSWORD = "checkout-password-123";
const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const buyer = { name: "Bianca Buyer", email: `buyer-${suffix}@e2e.test` };
const friend = { name: "Fay Friend", email: `friend-${suffix}@e2e.test` };
const stranger = { name: "Sid Stranger", email: `stranger-${suffix}@e2e.test` };
const eventName = `Checkout Conf ${suffix}`;

async function register(page: Page, person: { name: string; email: string }) {
  await page.goto("/register");
  await page.getByLabel("Name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  // Registering signs the browser in, not yet confirmed.
  await expect(page.getByTestId("signed-in-as")).toContainText(person.name);
  await expect(page.getByText("Confirm your email address to see tickets")).toBeVisible();
}

const signInAs = (page: Page, person: Person) => signIn(page, person, PASSWORD);

/** Follows the confirmation link in the browser that registered (so the password stays). */
async function verifyFromOutbox(page: Page, email: string) {
  await page.goto(await emailLink(email, /confirm/i));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.waitForURL((url) => url.pathname !== "/link");
  await expect(page.getByText("Confirm your email address to see tickets")).toHaveCount(0);
}

test.describe.configure({ mode: "serial" });

let orderPath = "";

test("a new user creates and publishes an event, then buys tickets for themself and a friend", async ({ page }) => {
  await register(page, buyer);
  // Creating and publishing events needs a proven email.
  await verifyFromOutbox(page, buyer.email);
  await signInAs(page, buyer);

  // Create and publish an event from the dashboard.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByText("You aren't running any events yet.")).toBeVisible();
  await page.getByRole("link", { name: "Create event" }).click();
  await page.getByLabel("Event name").fill(eventName);
  await page.getByLabel("Venue").fill("Hall 7, Messe Berlin");
  await page.getByLabel("Starts").fill("2030-06-01T09:00");
  // First a mistake: the end before the start is named on its field, and nothing is created.
  await page.getByLabel("Ends").fill("2030-06-01T08:00");
  await page.getByLabel("Time zone (where the event happens)").selectOption("Europe/Berlin");
  await page.getByLabel("Ticket type 1 name").fill("General admission");
  await page.getByLabel("Price").fill("25.00");
  await page.getByLabel("On sale").fill("50");
  await page.getByLabel(/Publish now/).check();
  await page.getByRole("button", { name: "Create event" }).click();
  await expect(page.locator("#endsAtLocal-error")).toHaveText("The end must be after the start");
  await page.getByLabel("Ends").fill("2030-06-01T18:00");
  await page.getByRole("button", { name: "Create event" }).click();

  // The event page: details, the ticket type with price and what's left, and checkout.
  await expect(page).toHaveURL(/\/events\/checkout-conf-[a-z0-9-]+$/);
  await expect(page.getByRole("heading", { level: 1, name: eventName })).toBeVisible();
  await expect(page.getByText("Sat, 1 Jun 2030, 09:00 – 18:00 CEST (Europe/Berlin)")).toBeVisible();
  await expect(page.getByTestId("ticket-type")).toContainText("€25.00");
  await expect(page.getByTestId("ticket-type")).toContainText("50 left");

  // Two tickets; the first attendee is the buyer, prefilled.
  await page.getByLabel(/^General admission/).selectOption("2");
  await expect(page.getByTestId("attendee-row")).toHaveCount(2);
  await expect(page.getByLabel("Attendee 1 name")).toHaveValue(buyer.name);
  await expect(page.getByLabel("Attendee 1 email")).toHaveValue(buyer.email);
  await page.getByLabel("Attendee 2 name").fill(friend.name);
  await page.getByLabel("Attendee 2 email").fill("not-an-email");
  await expect(page.getByText("Total €50.00")).toBeVisible();
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.locator("#attendee-1-email-error")).toHaveText("Enter a valid email address");
  // Focus goes to the field to fix, marked invalid and described by its message.
  const friendEmail = page.getByLabel("Attendee 2 email");
  await expect(friendEmail).toBeFocused();
  await expect(friendEmail).toHaveAttribute("aria-invalid", "true");
  await expect(friendEmail).toHaveAccessibleDescription("Enter a valid email address");
  await page.getByLabel("Attendee 2 email").fill(friend.email);
  await page.getByRole("button", { name: "Place order" }).click();

  // The order-completion page.
  await expect(page).toHaveURL(/\/orders\/[\w-]{22}\?placed=1$/);
  await expect(page.getByText("Your order is complete.")).toBeVisible();
  const orderIdentifier = new URL(page.url()).pathname.split("/")[2];
  orderPath = `/orders/${orderIdentifier}`;
  const rows = page.getByTestId("attendee");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText(buyer.name);
  await expect(rows.nth(0)).toContainText("General admission");
  await expect(rows.nth(1)).toContainText(friend.name);
  await expect(page.getByRole("link", { name: "Download tickets" })).toHaveAttribute("href", `/tickets/${orderIdentifier}`);
  const perAttendee = page.getByRole("link", { name: /^Download ticket for/ });
  await expect(perAttendee).toHaveCount(2);
  for (const link of await perAttendee.all()) {
    await expect(link).toHaveAttribute("href", new RegExp(`^/tickets/${orderIdentifier}/[\\w-]{22}$`));
  }

  // The buyer got a personal link; so did the friend.
  expect(await emailLink(buyer.email, /your tickets/i)).toMatch(/\/link\?token=/);
  expect(await emailLink(friend.email, /your ticket/i)).toMatch(/\/link\?token=/);

  // Seats are counted, and the order shows under My tickets.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByTestId("my-event")).toContainText("2 / 50");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My tickets" }).click();
  await expect(page.getByTestId("my-order")).toHaveCount(1);
  await expect(page.getByTestId("my-order")).toContainText(friend.name);
});

test("the friend registers with the attendee email, verifies it and sees only their own ticket", async ({ page }) => {
  expect(orderPath).not.toBe("");
  const orderLink = orderPath;

  // Signed out, the order's address leads to sign-in and back.
  await page.goto(orderLink);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Forders%2F/);

  await register(page, friend);
  await signInAs(page, friend);
  // Not verified yet: the address proves nothing, so the order is not theirs.
  const before = await page.goto(orderPath);
  expect(before?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This order belongs to another account" })).toBeVisible();

  await verifyFromOutbox(page, friend.email);
  await page.goto(orderLink);
  const rows = page.getByTestId("attendee");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText(friend.name);
  await expect(page.getByText(buyer.email)).toHaveCount(0);
  const orderIdentifier = orderPath.split("/")[2];
  await expect(page.getByRole("link", { name: "Download my ticket" })).toHaveAttribute("href", `/tickets/${orderIdentifier}`);
  // The link leads to the ticket PDF route, which serves the holder their own ticket.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download my ticket" }).click();
  expect((await downloading).suggestedFilename()).toBe(`ticket-${orderIdentifier}.pdf`);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My tickets" }).click();
  const mine = page.getByTestId("my-order");
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText(eventName);
  await expect(mine).toContainText(friend.name);
  await expect(mine).toContainText(`From ${buyer.name}`);
});

test("someone else gets a 403 page, a made-up order a 404 page", async ({ page }) => {
  await register(page, stranger);
  await signInAs(page, stranger);
  const response = await page.goto(orderPath);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This order belongs to another account" })).toBeVisible();
  await expect(page.getByText(friend.name)).toHaveCount(0);

  const missing = await page.goto("/orders/AAAAAAAAAAAAAAAAAAAAAA");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Order not found" })).toBeVisible();
});
