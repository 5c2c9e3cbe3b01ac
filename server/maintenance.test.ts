import { existsSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppDb } from "@/db/client";
import { auditTotals, checkins, emailLinks, mailQueue, rateLimitHits, refreshTokens, sessions, ticketDownloads } from "@/db/schema";
import { authenticateCookie, type Caller } from "@/server/auth/caller";
import { ConfigError, ensurePrivateDir, loadConfig } from "@/server/config";
import { createApiSession, createBrowserSession, revokeSession } from "@/server/auth/sessions";
import { attemptCheckIn } from "@/server/checkin/checkin";
import { randomId } from "@/server/ids";
import { enqueueMail } from "@/server/mail";
import { drainMailQueue } from "@/server/mail-worker";
import { DEFAULT_RETENTION, retentionPolicy, runMaintenance, startMaintenance } from "@/server/maintenance";
import { SIGN_IN_KNOWN_ADDRESS_MS } from "@/server/rate-limit";
import { freshDb, makeUser } from "@/server/testing/support";
import { insertEvent, insertOrder } from "@/server/testing/inserts";
import { recordTicketDownload } from "@/server/tickets/downloads";
import { ticketCacheDir } from "@/server/tickets/cache";

const DAY = 24 * 60 * 60_000;
const NOW = Date.now();
const POLICY = { ...DEFAULT_RETENTION, auditDaysAfterEvent: 90, ticketCacheDays: 30 };

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

async function callerOf(userId: string): Promise<Caller> {
  const auth = await authenticateCookie(db, (await createBrowserSession(db, userId, { device: "test", ip: "127.0.0.1" })).secret);
  if (auth.kind !== "caller") throw new Error("no caller");
  return auth.caller;
}

async function download(caller: Caller, eventId: string, order: { id: string; attendees: { id: string }[] }, at: number) {
  await recordTicketDownload(db, { caller, order: { id: order.id, eventId }, attendeeIds: [order.attendees[0].id], visibility: { scope: "all", as: "buyer" }, ip: "127.0.0.1", at });
}

const rowsOf = async (table: typeof ticketDownloads | typeof checkins, eventId: string) => (await db.select({ n: count() }).from(table).where(eq(table.eventId, eventId)))[0].n;

describe("retention of download and check-in rows", () => {
  it("deletes them once the event ended longer ago than the setting, keeping their counts; recent events keep every row; counts add up across runs", async () => {
    const owner = await makeUser(db);
    const caller = await callerOf(owner.id);
    const make = async (name: string, endedDaysAgo: number) => {
      const endsAt = NOW - endedDaysAgo * DAY;
      const event = { ...(await insertEvent(db, name, { event: { startsAt: endsAt - 3_600_000, endsAt } })), endsAt };
      const orders = [];
      for (let i = 0; i < 2; i++) orders.push(await insertOrder(db, event, owner, [{ name: "A", email: owner.email }, { name: "B", email: "b@retention.test" }]));
      return { event, orders };
    };
    const old = await make("Long Gone Conf", 91);
    const recent = await make("Last Month Conf", 30);
    for (const { event, orders } of [old, recent]) {
      for (let i = 0; i < 3; i++) await download(caller, event.id, orders[0], event.endsAt - 1000 * i);
      await download(caller, event.id, orders[1], event.endsAt);
      const secrets = orders.flatMap((o) => o.attendees.map((a) => a.checkinSecret));
      for (const secret of [...secrets, secrets[0]]) await attemptCheckIn(db, caller, { secret, event: { id: event.id } });
      await attemptCheckIn(db, caller, { secret: "not-a-ticket-of-ours-at-all", event: { id: event.id } });
    }
    expect(await rowsOf(checkins, old.event.id)).toBe(6);

    const report = await runMaintenance(db, POLICY, NOW);
    expect(report).toMatchObject({ events: 1, downloads: 4, checkins: 6 });
    expect([await rowsOf(ticketDownloads, old.event.id), await rowsOf(checkins, old.event.id)]).toEqual([0, 0]);
    expect([await rowsOf(ticketDownloads, recent.event.id), await rowsOf(checkins, recent.event.id)]).toEqual([4, 6]);
    const totals = async () =>
      Object.fromEntries(
        (await db.select().from(auditTotals).where(eq(auditTotals.eventId, old.event.id))).map((t) => [`${t.kind}${t.orderId ? ` ${t.orderId === old.orders[0].id ? "order 0" : "order 1"}` : ""}`, t.count]),
      );
    expect(await totals()).toEqual({ "ticket_download order 0": 3, "ticket_download order 1": 1, "checkin:checked_in": 4, "checkin:already_checked_in": 1, "checkin:not_found": 1 });
    const first = (await db.select().from(auditTotals).where(eq(auditTotals.kind, "ticket_download"))).find((t) => t.orderId === old.orders[0].id)!;
    expect([first.firstAt, first.lastAt]).toEqual([old.event.endsAt - 2000, old.event.endsAt]);

    // Idempotent, and a late row (a download of a past event's ticket) is counted in next time.
    expect(await runMaintenance(db, POLICY, NOW)).toMatchObject({ events: 0, downloads: 0, checkins: 0 });
    await download(caller, old.event.id, old.orders[0], NOW);
    await runMaintenance(db, POLICY, NOW);
    expect((await totals())["ticket_download order 0"]).toBe(4);
    expect(first.firstAt).toBe(old.event.endsAt - 2000);
  });
});

describe("retention of sessions, links, rate-limit hits and mail", () => {
  it("removes sessions that are dead and older than the sign-in look-back, with their refresh tokens; keeps live and recent ones", async () => {
    const user = await makeUser(db);
    const longAgo = NOW - SIGN_IN_KNOWN_ADDRESS_MS - 40 * DAY;
    const expired = (await createApiSession(db, user.id, ["tickets:read"], { device: "old phone", ip: "192.0.2.1" }, longAgo)).session;
    const revokedOld = (await createBrowserSession(db, user.id, { device: "old laptop", ip: "192.0.2.2" }, NOW - SIGN_IN_KNOWN_ADDRESS_MS - DAY)).session;
    await revokeSession(db, revokedOld.id, "signed_out", NOW - SIGN_IN_KNOWN_ADDRESS_MS);
    const revokedRecently = (await createBrowserSession(db, user.id, { device: "new laptop", ip: "192.0.2.3" }, NOW - 2 * DAY)).session;
    await revokeSession(db, revokedRecently.id, "signed_out", NOW - DAY - 1);
    const live = (await createBrowserSession(db, user.id, { device: "phone", ip: "192.0.2.4" }, NOW - DAY)).session;

    expect((await runMaintenance(db, POLICY, NOW)).sessions).toBe(2);
    const left = (await db.select({ id: sessions.id }).from(sessions)).map((s) => s.id);
    expect(left.sort()).toEqual([revokedRecently.id, live.id].sort());
    expect(await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, expired.id))).toEqual([]);
  });

  it("removes confirmation links used or expired over a day ago, rate-limit hits past every window, and old sent mail; keeps the rest", async () => {
    const user = await makeUser(db, { verified: false });
    const link = async (expiresAt: number, usedAt: number | null) => {
      const tokenHash = randomId();
      await db.insert(emailLinks).values({ tokenHash, purpose: "sign_in", email: user.email, createdAt: NOW - 3 * DAY, expiresAt, usedAt });
      return tokenHash;
    };
    await link(NOW - 2 * DAY, null);
    await link(NOW + DAY, NOW - 2 * DAY);
    const fresh = await link(NOW + DAY, null);
    await db.insert(rateLimitHits).values([{ key: "k", at: NOW - 2 * 60 * 60_000 }, { key: "k", at: NOW - 60_000 }]);
    const sentLongAgo = await enqueueMail(db, { to: "a@retention.test", subject: "Old", text: "token" }, NOW - 10 * DAY);
    await drainMailQueue(db, { now: () => NOW - 9 * DAY });
    const pending = await enqueueMail(db, { to: "b@retention.test", subject: "New", text: "token" }, NOW);

    const report = await runMaintenance(db, POLICY, NOW);
    expect(report).toMatchObject({ emailLinks: 2, rateLimitHits: 1, mails: 1 });
    expect(await db.select({ t: emailLinks.tokenHash }).from(emailLinks)).toEqual([{ t: fresh }]);
    expect(await db.select({ at: rateLimitHits.at }).from(rateLimitHits)).toEqual([{ at: NOW - 60_000 }]);
    expect(await db.select({ id: mailQueue.id }).from(mailQueue)).toEqual([{ id: pending }]);
    expect(sentLongAgo).not.toBe(pending);
  });
});

describe("the server's policy", () => {
  it("takes how long cached ticket PDFs and audit rows are kept from the configuration, and names a bad value", () => {
    const policy = retentionPolicy(loadConfig({ ...process.env, TICKET_CACHE_DAYS: "7", RETENTION_DAYS: "45" }));
    expect(policy).toMatchObject({ ticketCacheDays: 7, auditDaysAfterEvent: 45 });
    expect(retentionPolicy(loadConfig({ ...process.env, TICKET_CACHE_DAYS: "" })).ticketCacheDays).toBe(30);
    expect(() => loadConfig({ ...process.env, TICKET_CACHE_DAYS: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...process.env, TICKET_CACHE_DAYS: "a week" })).toThrow(/TICKET_CACHE_DAYS: must be a whole number of days/);
  });
});

describe("the scheduler", () => {
  it("runs the PDF cache sweep with the rest, by itself, and stops cleanly", async () => {
    const stale = path.join(ticketCacheDir(), "ab", `${"ab".padEnd(64, "0")}.pdf`);
    // Private, as the app makes them: this may be the first test to create the shared cache folder.
    ensurePrivateDir(path.dirname(stale));
    writeFileSync(stale, "%PDF-old");
    const old = new Date(NOW - 31 * DAY);
    utimesSync(stale, old, old);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const maintenance = startMaintenance(db, POLICY, { firstAfterMs: 0 });
    try {
      // A whole round (every prune) runs first: on a busy machine that can take a while.
      await vi.waitFor(() => expect(existsSync(stale)).toBe(false), { timeout: 10_000 });
      await vi.waitFor(() => expect(log.mock.calls.some((call) => /Maintenance removed: .*1 ticketFiles/.test(String(call[0])))).toBe(true), { timeout: 10_000 });
    } finally {
      await maintenance.stop();
      log.mockRestore();
    }
  });
});
