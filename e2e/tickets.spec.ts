import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { openDb, type AppDb } from "@/db/client";
import { createUser } from "@/server/auth/accounts";
import { insertEvent, insertOrder } from "@/server/testing/inserts";
import { DATABASE_FILE } from "./support";

/**
 * Ticket downloads in a real browser against the production server. The order is seeded straight
 * into the server's database (checkout has its own spec); everything after that goes through the
 * browser: the completion page's buttons, an emailed link and the sign-in it leads to, the 403 page.
 */

const PASSWORD = "e2e-password-123";
const suffix = Date.now().toString(36);
const buyerEmail = `buyer-${suffix}@e2e.test`;
const otherEmail = `other-${suffix}@e2e.test`;

let db: AppDb;
let orderIdentifier: string;
let friendAttendeeId: string;

test.beforeAll(async () => {
  // The server has already migrated this file; WAL lets both processes use it.
  db = openDb(DATABASE_FILE, { migrate: false });
  const buyer = await createUser(db, { email: buyerEmail, name: "Erin Buyer", password: PASSWORD, verified: true });
  await createUser(db, { email: otherEmail, name: "Oscar Other", password: PASSWORD, verified: true });
  const event = await insertEvent(db, "E2E Ticket Conf");
  const order = await insertOrder(db, event, buyer, [
    { name: "Erin Buyer", email: buyerEmail },
    { name: "Fay Friend", email: `friend-${suffix}@e2e.test` },
  ]);
  orderIdentifier = order.id;
  friendAttendeeId = order.attendees[1].id;
});

test.afterAll(() => db?.$admit.close());

async function signIn(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("from the completion page, Download tickets saves ticket-{orderIdentifier}.pdf", async ({ page }) => {
  await page.goto(`/orders/${orderIdentifier}`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await signIn(page, buyerEmail);
  await expect(page.getByTestId("order-identifier")).toHaveText(orderIdentifier);

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download tickets" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`ticket-${orderIdentifier}.pdf`);
  const file = await download.path();
  expect(readFileSync(file).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(execFileSync("pdfinfo", [file], { encoding: "utf8" })).toMatch(/^Pages:\s+2$/m);

  // One attendee's ticket: its own file name, one page.
  const single = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download ticket for Fay Friend" }).click();
  const one = await single;
  expect(one.suggestedFilename()).toBe(`ticket-${friendAttendeeId}.pdf`);
  expect(execFileSync("pdfinfo", [await one.path()], { encoding: "utf8" })).toMatch(/^Pages:\s+1$/m);

  // Both downloads are in the order's history, newest first.
  await page.reload();
  const history = page.getByTestId("download-history").getByRole("listitem");
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText("1 ticket downloaded by you on");
  await expect(history.nth(1)).toContainText("2 tickets downloaded by you on");
});

test("a signed-out browser following a ticket link is asked to sign in, then gets the file", async ({ page }) => {
  const first = await page.goto(`/tickets/${orderIdentifier}`);
  expect(first?.status()).toBe(401);
  await expect(page.getByRole("heading", { name: "Sign in to download your ticket for E2E Ticket Conf" })).toBeVisible();
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await expect(page.getByTestId("sign-in-reason")).toHaveText("Sign in to download your ticket.");

  // After sign-in the form navigates back to the link, which now starts the download.
  const downloading = page.waitForEvent("download");
  await signIn(page, buyerEmail);
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`ticket-${orderIdentifier}.pdf`);
  expect(readFileSync(await download.path()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
});

test("another signed-in user opening the same link gets the 403 page, not a file", async ({ page }) => {
  await page.goto("/signin");
  await signIn(page, otherEmail);
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));

  let downloaded = false;
  page.on("download", () => {
    downloaded = true;
  });
  const response = await page.goto(`/tickets/${orderIdentifier}`);
  expect(response?.status()).toBe(403);
  expect(response?.headers()["content-type"]).toMatch(/^text\/html/);
  await expect(page.getByRole("heading", { name: "Not yours" })).toBeVisible();
  await expect(page.getByText("This order belongs to another account")).toBeVisible();
  expect(downloaded).toBe(false);
});
