import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { DATABASE_FILE, newestMailTo, registerViaApi, signIn } from "./support";

/**
 * The mail queue in the running server: a mail that failed for good shows in the staff console
 * with the mail server's answer; Retry puts it back in the queue, and the server's worker delivers
 * it (here into the outbox, as there is no SMTP_URL). The health check reports the queue.
 */

const suffix = randomBytes(4).toString("hex");
const PASSWORD = "staff-password-123";

test("staff see a failed mail in the console, retry it, and the worker delivers it", async ({ page, request, baseURL }) => {
  const staff = { name: "Mia Mailroom", email: `mia-${suffix}@e2e.test` };
  const recipient = `unlucky-${suffix}@e2e.test`;
  await registerViaApi(request, baseURL!, staff, PASSWORD);
  const db = new Database(DATABASE_FILE, { fileMustExist: true });
  try {
    db.prepare("UPDATE users SET role = 'staff' WHERE email = ?").run(staff.email);
    // What the worker leaves after its last attempt against a mail server that was down.
    const now = Date.now();
    db.prepare(
      `INSERT INTO mail_queue (id, recipient, subject, body_text, status, attempts, next_attempt_at, last_error, last_attempt_at, created_at)
       VALUES (?, ?, 'Your tickets for Retry Conf', 'The tickets are here.', 'failed', 10, ?, 'ECONNECTION: connect ECONNREFUSED 127.0.0.1:25', ?, ?)`,
    ).run(`e2e-failed-${suffix}`, recipient, now, now, now - 7_200_000);
  } finally {
    db.close();
  }

  const health = await (await request.get("/api/health")).json();
  expect(health).toMatchObject({ status: "ok", database: "ok", mailQueue: { failed: expect.any(Number) } });
  expect(health.mailQueue.failed).toBeGreaterThanOrEqual(1);

  await signIn(page, staff, PASSWORD);
  await page.goto("/admin");
  const row = page.getByTestId("failed-mail-row").filter({ hasText: recipient });
  await expect(row).toContainText("Your tickets for Retry Conf");
  await expect(row).toContainText("ECONNREFUSED");
  await row.getByRole("button", { name: `Retry the mail to ${recipient}` }).click();
  await expect(page.getByText("The mail is back in the queue.")).toBeVisible();
  await expect(page.getByTestId("failed-mail-row").filter({ hasText: recipient })).toHaveCount(0);

  const mail = await newestMailTo(recipient);
  expect(mail.subject).toBe("Your tickets for Retry Conf");
  expect(mail.text).toContain("The tickets are here.");
});
