import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** Shared steps of the end-to-end specs: accounts, sign-in, and the mail outbox. */

export type Person = { name: string; email: string };

/** The server under test's database (playwright.config.ts); specs seed it directly, WAL lets both write. */
export const DATABASE_FILE = path.resolve(".e2e-data/admit.db");

/** Where the server under test writes mail (no SMTP_URL): one JSON file per message. */
export const OUTBOX = path.resolve(".e2e-data/outbox");

export type Mail = { from: string; to: string; subject: string; text: string; html?: string; sentAt: string };

/** Every message to `to` so far, oldest first. */
export function mailsTo(to: string): Mail[] {
  let files: string[];
  try {
    files = readdirSync(OUTBOX).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .map((f) => JSON.parse(readFileSync(path.join(OUTBOX, f), "utf8")) as Mail)
    .filter((m) => m.to.toLowerCase() === to.toLowerCase())
    .sort((a, b) => a.sentAt.localeCompare(b.sentAt));
}

/** The newest message to `to` (it may take a moment to land). */
export async function newestMailTo(to: string): Promise<Mail> {
  let found: Mail | undefined;
  await expect.poll(() => (found = mailsTo(to).at(-1)) !== undefined, { message: `a mail to ${to} in ${OUTBOX}` }).toBe(true);
  return found!;
}

/** The emailed link (the /link page it opens) in the newest mail to `to` whose subject matches. */
export async function emailLink(to: string, subject: RegExp): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(() => (link = mailsTo(to).filter((m) => subject.test(m.subject)).map((m) => /https?:\/\/\S+\/link\?token=[\w-]+/.exec(m.text)?.[0]).filter(Boolean).at(-1)), {
      message: `a mail to ${to} about ${subject} with a link`,
    })
    .toBeTruthy();
  return link!;
}

/** Signs in through the sign-in page and waits until the header names the person. */
export async function signIn(page: Page, person: Person, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // Leaving the page first: a browser already signed in as this person shows the name at once.
  await page.waitForURL((url) => url.pathname !== "/signin");
  await expect(page.getByTestId("signed-in-as")).toContainText(person.name);
}

/**
 * Creates an account through the API the register page uses (same-origin JSON). Like the page, it
 * signs the request context's browser in (its cookie jar) as the new account.
 */
export async function registerViaApi(request: APIRequestContext, baseURL: string, person: Person, password: string) {
  const response = await request.post("/api/trpc/auth.register", {
    headers: { origin: baseURL, "content-type": "application/json" },
    data: { name: person.name, email: person.email, password },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/**
 * Confirms an address through the API the link page's button uses, with the link from its mail.
 * From the context that registered it, the registration's password stays.
 */
/** Follows the newest emailed link about `subject` (default: the confirmation) as the request's browser would. */
export async function verifyViaApi(request: APIRequestContext, baseURL: string, email: string, subject = /confirm/i) {
  const token = new URL(await emailLink(email, subject)).searchParams.get("token");
  const response = await request.post("/api/trpc/auth.followLink", {
    headers: { origin: baseURL, "content-type": "application/json" },
    data: { token },
  });
  expect(response.status(), await response.text()).toBe(200);
}
