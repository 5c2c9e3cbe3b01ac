import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDb, transaction, type AppDb, type Db } from "@/db/client";
import { dialect } from "@/db/dialect";
import { mailQueue, users } from "@/db/schema";
import { trpcMutation } from "@/server/testing/attacks";
import { enqueueMail, enqueueMails, outboxDir, registerMailWorker } from "@/server/mail";
import { backoffMs, claimMail, MAIL_RETRY, MailWorker, startMailWorker } from "@/server/mail-worker";
import { callerAs, freshDb, makeUser, trpcError } from "@/server/testing/support";
import { outboxMailsTo } from "@/server/testing/outbox";
import { race } from "@/server/testing/race";
import { TestSmtpServer } from "@/server/testing/smtp";
import { TcpProxy } from "@/server/testing/tcp-proxy";
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

/**
 * A database whose every statement is refused, as PostgreSQL's are while it is down, until `up`:
 * then there is never any mail due. Counts the worker's passes (each begins with one select).
 * Its statements settle in microtasks, so the worker runs under fake timers.
 */
function refusingDatabase() {
  const state = { up: false, passes: 0 };
  const due = () => {
    state.passes++;
    if (state.up) return Promise.resolve([]);
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    // As drizzle wraps it: the query and its parameters (the time among them) in the message.
    return Promise.reject(new Error(`Failed query: select "id" from "mail_queue" …\nparams: pending,${Date.now()}`, { cause: refused }));
  };
  const query = { from: () => query, where: () => query, orderBy: () => query, limit: due };
  return { state, db: { select: () => query } as unknown as Db };
}

describe("the server's worker while the database is unreachable", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("polls less and less often, at most every failingPollMaxMs, says so once, and polls at its usual pace again from the first pass that succeeds", async () => {
    vi.useFakeTimers();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const database = refusingDatabase();
    const pollMs = 300;
    const failingPollMaxMs = 30_000;
    const worker = new MailWorker(database.db, { pollMs, failingPollMaxMs, smtpUrl: undefined }).start();
    try {
      const window = 10 * MINUTE;
      await vi.advanceTimersByTimeAsync(window);
      // Every 300 ms that would be 2,000 attempts. Doubling from 300 ms reaches the ceiling after
      // log2(30 s / 300 ms) < 7 waits; after that, one attempt per 30 s: it never gives up.
      expect(database.state.passes).toBeLessThanOrEqual(1 + 7 + window / failingPollMaxMs);
      expect(database.state.passes).toBeGreaterThanOrEqual(window / failingPollMaxMs);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0][0])).toContain("ECONNREFUSED");

      // Back: the next attempt (within the ceiling) succeeds…
      database.state.up = true;
      const whileDown = database.state.passes;
      await vi.advanceTimersByTimeAsync(failingPollMaxMs);
      expect(database.state.passes).toBeGreaterThan(whileDown);
      // …and from then on it polls every 300 ms again.
      const recovered = database.state.passes;
      await vi.advanceTimersByTimeAsync(10 * pollMs);
      expect(database.state.passes - recovered).toBe(10);
    } finally {
      await worker.stop();
    }
  });
});

// The real thing on PostgreSQL: the server refusing connections (through a relay that is down).
// SQLite is a file in the process, with no server to refuse; the test above covers the worker there.
describe.skipIf(dialect !== "postgres")("the server's worker while PostgreSQL refuses connections", () => {
  it("makes a bounded number of connection attempts, and delivers mail queued meanwhile once PostgreSQL is back, unprompted", { timeout: 60_000 }, async () => {
    const db = await freshDb();
    const server = new URL(db.$admit.location);
    const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port) });
    const through = openDb(proxy.urlThrough(db.$admit.location), { migrate: false, poolSize: 2 });
    // Every connect finds the pool empty while the server is away: each is a connection attempt.
    const pool = through.$admit.pool!;
    const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
    let attempts = 0;
    pool.connect = ((...args: unknown[]) => {
      attempts++;
      return connect(...args);
    }) as typeof pool.connect;
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    await proxy.down();
    const worker = startMailWorker(through, { pollMs: 50, failingPollMaxMs: 400 });
    try {
      // Over two seconds, polls every 50 ms would make 40 attempts; waits of 100, 200, 400, 400 ms…
      // make 7. Bounded from above only: a slow machine makes fewer, never more.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(attempts).toBeGreaterThan(0);
      expect(attempts).toBeLessThanOrEqual(10);

      // Queued by another instance (nothing wakes this worker): only its own polls can find it.
      registerMailWorker(undefined);
      const to = unique("after-outage");
      await enqueueMail(db, { to, subject: "Back", text: "Sent once the database answered" });
      await proxy.up();
      await vi.waitFor(() => expect(outboxMailsTo(to)).toHaveLength(1), { timeout: 10_000 });
    } finally {
      await worker.stop();
      await through.$admit.close();
      await proxy.down();
      vi.restoreAllMocks();
    }
  });
});
