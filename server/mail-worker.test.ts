import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { transaction, type AppDb } from "@/db/client";
import { mailQueue, users } from "@/db/schema";
import { trpcMutation } from "@/server/testing/attacks";
import { enqueueMail, enqueueMails, outboxDir } from "@/server/mail";
import { backoffMs, claimMail, MAIL_RETRY, MailWorker, startMailWorker } from "@/server/mail-worker";
import { callerAs, freshDb, makeUser, trpcError } from "@/server/testing/support";
import { outboxMailsTo } from "@/server/testing/outbox";
import { race } from "@/server/testing/race";
import { TestSmtpServer } from "@/server/testing/smtp";
import { existsSync } from "node:fs";
import path from "node:path";

const MINUTE = 60_000;
let sequence = 0;
const unique = (name: string) => `${name}-${Date.now()}-${++sequence}@mail.test`;

function rows(db: AppDb) {
  return db.select().from(mailQueue);
}

async function rowOf(db: AppDb, id: string) {
  const [row] = await db.select().from(mailQueue).where(eq(mailQueue.id, id)).limit(1);
  return row!;
}

describe("the mail queue", () => {
  let db: AppDb;
  let smtp: TestSmtpServer | undefined;
  beforeEach(async () => {
    db = await freshDb();
  });
  afterEach(async () => {
    await smtp?.down();
    smtp = undefined;
  });

  it("registering while the mail server is down answers 200 at once, and the mail goes out once it is back minutes later", async () => {
    smtp = await TestSmtpServer.start();
    await smtp.down();
    let clock = Date.now();
    const worker = new MailWorker(db, { smtpUrl: smtp.url, now: () => clock });
    const email = unique("newcomer");

    const response = await trpcMutation("auth.register", { name: "New Comer", email, password: "long enough password" });
    expect(response.status, await response.text()).toBe(200);
    expect(await db.select().from(users).where(eq(users.email, email))).toHaveLength(1);
    const [queued] = await rows(db);
    expect(queued).toMatchObject({ recipient: email, status: "pending", attempts: 0 });

    // Down for five minutes: every due attempt fails and is put off a little longer each time.
    const until = clock + 5 * MINUTE;
    while (clock < until) {
      await worker.runOnce();
      clock += 15_000;
    }
    const waiting = await rowOf(db, queued.id);
    expect(waiting.status).toBe("pending");
    expect(waiting.attempts).toBeGreaterThanOrEqual(4);
    expect(waiting.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
    expect(waiting.nextAttemptAt - waiting.lastAttemptAt!).toBe(backoffMs(waiting.attempts));
    expect(smtp.received).toHaveLength(0);

    await smtp.up();
    // Not before its next attempt is due...
    clock = waiting.nextAttemptAt - 1;
    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    // ...and then exactly once.
    clock = waiting.nextAttemptAt;
    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    clock += 10 * MINUTE;
    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(await rowOf(db, queued.id)).toMatchObject({ status: "sent", lastError: null, claimedUntil: null });

    const [mail] = smtp.messagesTo(email);
    expect(smtp.messagesTo(email)).toHaveLength(1);
    expect(mail.messageId).toBe(`<${queued.id}@admit.local>`);
    // The link in it still works.
    const token = decodeURIComponent(/\/link\?token=([^\s]+)/.exec(mail.text)![1]);
    expect(await (await callerAs(db, null)).auth.followLink({ token })).toMatchObject({ to: expect.any(String) });
  });

  it("two workers in two threads, each with its own connection, deliver every one of 60 mails exactly once", async () => {
    smtp = await TestSmtpServer.start({ delayMs: 2 });
    const recipients = Array.from({ length: 60 }, (_, i) => unique(`crowd-${i}`));
    const ids = await enqueueMails(db, recipients.map((to) => ({ to, subject: "Crowd", text: "One of many" })));

    // Each worker thread opens a connection of its own (on PostgreSQL, a pool of its own), as two
    // server processes or two app instances would.
    const results = await race<{ sent: number }>(2, db.$admit.location, "server/mail-worker.ts", "drainMailQueue", () => [{ smtpUrl: smtp!.url }]);
    expect(results.every((r) => r.ok), JSON.stringify(results)).toBe(true);
    const sentBy = results.map((r) => (r.ok ? r.value.sent : 0));
    expect(sentBy[0] + sentBy[1]).toBe(60);

    const messageIds = smtp.received.map((m) => m.messageId);
    expect(messageIds).toHaveLength(60);
    expect(new Set(messageIds)).toEqual(new Set(ids.map((id) => `<${id}@admit.local>`)));
    expect((await rows(db)).every((row) => row.status === "sent" && row.attempts === 1)).toBe(true);
  });

  it("a live claim keeps other workers off a mail; a lapsed one (its worker died) is taken over, and the first outcome can't be written any more", async () => {
    const id = await enqueueMail(db, { to: unique("claimed"), subject: "Once", text: "Only once" });
    const now = Date.now();
    const first = await claimMail(db, id, now);
    expect(first?.attempts).toBe(1);
    expect(await claimMail(db, id, now + MAIL_RETRY.leaseMs - 1)).toBeUndefined();

    const second = await claimMail(db, id, now + MAIL_RETRY.leaseMs + 1);
    expect(second?.attempts).toBe(2);
    expect(await rowOf(db, id)).toMatchObject({ status: "pending", attempts: 2, claimedUntil: now + 2 * MAIL_RETRY.leaseMs + 1 });
  });

  it("a mail that keeps failing is marked failed after the last attempt; staff see it (not its body) and retry it, and it goes out", async () => {
    smtp = await TestSmtpServer.start();
    await smtp.down();
    const to = unique("unlucky");
    const id = await enqueueMail(db, { to, subject: "Your tickets", text: "secret-link-123" });
    let clock = (await rowOf(db, id)).nextAttemptAt;
    const worker = new MailWorker(db, { smtpUrl: smtp.url, now: () => clock, maxAttempts: 3 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await worker.runOnce();
      clock = (await rowOf(db, id)).nextAttemptAt;
    }
    expect(await rowOf(db, id)).toMatchObject({ status: "failed", attempts: 3 });
    await worker.runOnce();
    expect((await rowOf(db, id)).attempts).toBe(3);

    const staff = await makeUser(db, { role: "staff" });
    const listed = await (await callerAs(db, staff)).admin.mails({ status: "failed" });
    expect(listed.counts).toEqual({ failed: 1, pending: 0 });
    expect(listed.rows).toEqual([expect.objectContaining({ id, recipient: to, subject: "Your tickets", attempts: 3, lastError: expect.stringMatching(/ECONNREFUSED|ECONNECTION/) })]);
    expect(JSON.stringify(listed)).not.toContain("secret-link-123");

    await smtp.up();
    expect(await (await callerAs(db, staff)).admin.retryMail({ mailId: id })).toEqual({ id, status: "pending" });
    expect((await trpcError((await callerAs(db, staff)).admin.retryMail({ mailId: id }))).code).toBe("NOT_FOUND");
    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(smtp.messagesTo(to).map((m) => m.text.trim())).toEqual(["secret-link-123"]);
    expect((await (await callerAs(db, staff)).admin.mails({ status: "failed" })).counts).toEqual({ failed: 0, pending: 0 });
  });

  it("a recipient the mail server refuses for good (550) fails at once, without retries; the other mails still go out", async () => {
    smtp = await TestSmtpServer.start();
    const nobody = unique("nobody");
    smtp.refused.add(nobody);
    const worker = new MailWorker(db, { smtpUrl: smtp.url });
    const [refused, fine] = await enqueueMails(db, [
      { to: nobody, subject: "Hello", text: "To nobody" },
      { to: unique("somebody"), subject: "Hello", text: "To somebody" },
    ]);
    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 1 });
    expect(await rowOf(db, refused)).toMatchObject({ status: "failed", attempts: 1, lastError: expect.stringContaining("550") });
    expect((await rowOf(db, fine)).status).toBe("sent");
  });

  it("mail is queued with the change that causes it: a rolled-back change leaves no mail, a failed order queues none", async () => {
    await expect(
      transaction(db, async (tx) => {
        await enqueueMail(tx, { to: unique("ghost"), subject: "Never", text: "Never sent" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await rows(db)).toHaveLength(0);

    const buyer = await makeUser(db);
    const error = await trpcError((await callerAs(db, buyer)).orders.place({ eventId: "AAAAAAAAAAAAAAAAAAAAAA", items: [], attendees: [] }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(await rows(db)).toHaveLength(0);
  });

  it("the server's worker delivers mail to the outbox as soon as a change queues it (without SMTP_URL)", async () => {
    const worker = startMailWorker(db, { pollMs: 60 * MINUTE });
    try {
      const to = unique("prompt");
      const id = await enqueueMail(db, { to, subject: "Right away", text: "Nudged" });
      // The poll is an hour away: only the nudge after the enqueue can deliver it (however long a
      // busy machine takes to, hence the generous wait).
      await vi.waitFor(() => expect(outboxMailsTo(to)).toHaveLength(1), { timeout: 10_000 });
      expect(existsSync(path.join(outboxDir(), `${id}.json`))).toBe(true);
      await vi.waitFor(async () => expect((await rowOf(db, id)).status).toBe("sent"), { timeout: 10_000 });
    } finally {
      await worker.stop();
    }
  });
});
