import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkIntegrity } from "@/db/backup";
import { migrateDb, openDb, type AppDb } from "@/db/client";
import { attendees, checkins, emailLinks, eventMembers, mailQueue, orders, ticketTypes } from "@/db/schema";
import { authenticateCookie } from "@/server/auth/caller";
import { attemptCheckIn } from "@/server/checkin/checkin";
import { orderMailCount } from "@/server/orders/emails";
import type { CrashJob } from "@/server/testing/crash-child";
import { insertEvent, insertOrder } from "@/server/testing/inserts";
import { buildWorld, type World } from "@/server/testing/world";

/**
 * Fault: the server process is killed with SIGKILL (an OOM kill, a power cut of the container)
 * in the middle of a checkout or a check-in burst. After a restart (the database opened again,
 * as scripts/serve.ts does) nothing is half-done: every order that was acknowledged is there
 * with all its tickets and its mails queued, an order cut off mid-transaction is not there at
 * all, seats sold match tickets, and no ticket is checked in twice or counted twice. The PDF
 * render case is in server/tickets/cache.test.ts ("interrupted renders").
 *
 * On either dialect: on SQLite the file is opened again and checked for integrity; on PostgreSQL
 * the server rolls back what the killed process's connection left open, and the check is that
 * nothing of it is visible.
 */

type Run = { lines: string[]; signal: NodeJS.Signals | null; code: number | null; stderr: string };

/** Runs server/testing/crash-child.ts; `killAfter` acknowledged lines (over all runs given), SIGKILLs it. */
function runChildren(jobs: CrashJob[], killAfter?: number): Promise<Run[]> {
  const children = jobs.map((job) =>
    // `node --import tsx` rather than the tsx CLI, which would run the script in a grandchild.
    spawn(process.execPath, ["--import", "tsx", "server/testing/crash-child.ts", JSON.stringify(job)], { env: process.env }),
  );
  const runs: Run[] = children.map(() => ({ lines: [], signal: null, code: null, stderr: "" }));
  let acknowledged = 0;
  return Promise.all(
    children.map(
      (child, i) =>
        new Promise<Run>((resolve) => {
          let partial = "";
          child.stdout.on("data", (chunk: Buffer) => {
            const text = partial + chunk.toString("utf8");
            const lines = text.split("\n");
            partial = lines.pop()!;
            runs[i].lines.push(...lines);
            acknowledged += lines.length;
            if (killAfter !== undefined && acknowledged >= killAfter) for (const each of children) each.kill("SIGKILL");
          });
          child.stderr.on("data", (chunk: Buffer) => (runs[i].stderr += chunk.toString("utf8")));
          child.on("exit", (code, signal) => resolve(Object.assign(runs[i], { code, signal })));
        }),
    ),
  );
}

/** The database opened again, as a restarted server opens it. */
const reopened: AppDb[] = [];
async function restart(): Promise<AppDb> {
  const db = openDb(world.db.$admit.location);
  reopened.push(db);
  await migrateDb(db);
  expect(await checkIntegrity(db)).toBe("ok");
  return db;
}

let world: World;
beforeEach(async () => {
  world = await buildWorld(path.join(mkdtempSync(path.join(tmpdir(), "admit-kill-")), "kill.db"));
});
afterEach(async () => {
  for (const db of reopened.splice(0)) await db.$admit.close();
});

describe("kill -9 during checkout", () => {
  const ATTENDEES = 3;

  async function checkoutJob(event: { id: string; ticketTypeId: string }, dieAt?: CrashJob["dieAt"]): Promise<CrashJob> {
    const session = (await world.cookieFor("buyer")).cookie;
    return { kind: "checkout", database: world.db.$admit.location, session, eventId: event.id, ticketTypeId: event.ticketTypeId, attendeesPerOrder: ATTENDEES, dieAt };
  }

  /** Every order is whole: all its tickets, its seats counted, its mails (and their links) queued. */
  async function expectEveryOrderWhole(db: AppDb, event: { id: string; ticketTypeId: string }) {
    const placed = await db.select().from(orders).where(eq(orders.eventId, event.id));
    let mailsOwed = 0;
    for (const order of placed) {
      const tickets = await db.select().from(attendees).where(eq(attendees.orderId, order.id));
      expect(tickets, `tickets of ${order.id}`).toHaveLength(ATTENDEES);
      mailsOwed += orderMailCount(order.buyerEmail, tickets.map((t) => t.email));
    }
    expect((await db.select({ n: count() }).from(mailQueue))[0].n).toBe(mailsOwed);
    expect((await db.select({ n: count() }).from(emailLinks).where(eq(emailLinks.purpose, "order")))[0].n).toBe(mailsOwed);
    const [{ sold }] = await db.select({ sold: ticketTypes.sold }).from(ticketTypes).where(eq(ticketTypes.id, event.ticketTypeId));
    expect(sold).toBe((await db.select({ n: count() }).from(attendees).where(eq(attendees.ticketTypeId, event.ticketTypeId)))[0].n);
    expect(sold).toBe(placed.length * ATTENDEES);
    return placed.map((order) => order.id);
  }

  it("killed inside an order's transaction (tickets written, mails not yet): after restart that order doesn't exist, the acknowledged ones are whole", { timeout: 60_000 }, async () => {
    const event = await insertEvent(world.db, "Crash Conf", { ticketType: { quantity: 100_000 } });
    // Each order queues its mails last (server/orders/place.ts): die at the fourth order's.
    const [run] = await runChildren([await checkoutJob(event, { sql: '^insert into "mail_queue"', after: 3 })]);
    expect(run.signal, run.stderr).toBe("SIGKILL");
    const acknowledged = run.lines.map((line) => line.replace("placed ", ""));
    expect(acknowledged).toHaveLength(3);

    const db = await restart();
    expect((await expectEveryOrderWhole(db, event)).sort()).toEqual([...acknowledged].sort());
    expect((await db.select({ n: count() }).from(attendees).where(eq(attendees.eventId, event.id)))[0].n).toBe(3 * ATTENDEES);
  });

  it("killed at arbitrary moments, three times over: no acknowledged order lost, none half-placed, and checkout works after each restart", { timeout: 120_000 }, async () => {
    const event = await insertEvent(world.db, "Crash Conf", { ticketType: { quantity: 100_000 } });
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const [run] = await runChildren([await checkoutJob(event)], 15);
      expect(run.signal, run.stderr).toBe("SIGKILL");
      acknowledged.push(...run.lines.map((line) => line.replace("placed ", "")));
      const db = await restart();
      const present = new Set(await expectEveryOrderWhole(db, event));
      for (const id of acknowledged) expect(present.has(id), `acknowledged order ${id}`).toBe(true);
    }
  });
});

describe("kill -9 during a check-in burst", () => {
  const TICKETS = 300;
  let secrets: string[];
  let event: { id: string; ticketTypeId: string };

  beforeEach(async () => {
    event = await insertEvent(world.db, "Door Conf", { ticketType: { quantity: 1_000 } });
    const people = Array.from({ length: TICKETS }, (_, i) => ({ name: `Guest ${i}`, email: `door-${i}@crash.test` }));
    secrets = (await insertOrder(world.db, event, world.users.buyer, people)).attendees.map((a) => a.checkinSecret);
    await world.db.insert(eventMembers).values({ eventId: event.id, userId: world.users.registrar.id, role: "registrar", createdAt: Date.now() });
  });

  async function doorJob(list: string[], dieAt?: CrashJob["dieAt"]): Promise<CrashJob> {
    return { kind: "checkin", database: world.db.$admit.location, session: (await world.cookieFor("registrar")).cookie, secrets: list, dieAt };
  }

  /** Each ticket is checked in at most once, and counted exactly as often as it is checked in. */
  async function expectCountedOnce(db: AppDb) {
    const tickets = await db.select().from(attendees).where(eq(attendees.eventId, event.id));
    const wins = await db
      .select({ attendeeId: checkins.attendeeId, n: count() })
      .from(checkins)
      .where(sql`${checkins.eventId} = ${event.id} and ${checkins.result} = 'checked_in'`)
      .groupBy(checkins.attendeeId);
    const winsOf = new Map(wins.map((w) => [w.attendeeId, w.n]));
    for (const ticket of tickets) expect(winsOf.get(ticket.id) ?? 0, ticket.name).toBe(ticket.checkedInAt === null ? 0 : 1);
    return new Set(tickets.filter((t) => t.checkedInAt !== null).map((t) => t.id));
  }

  it("killed between a ticket's check-in and its record: after restart that ticket isn't checked in, and scanning it again admits it once", { timeout: 60_000 }, async () => {
    // A check-in claims the ticket, then records the scan, in one transaction: die at the 11th record.
    const [run] = await runChildren([await doorJob(secrets, { sql: '^insert into "checkins"', after: 10 })]);
    expect(run.signal, run.stderr).toBe("SIGKILL");
    expect(run.lines).toHaveLength(10);
    const admitted = run.lines.map((line) => line.split(" ")[1]);

    const db = await restart();
    expect([...(await expectCountedOnce(db))].sort()).toEqual([...admitted].sort());

    // The door goes on after the restart: the ten already in are refused, the rest admitted once.
    const registrar = await authenticateCookie(db, (await world.cookieFor("registrar")).cookie);
    if (registrar.kind !== "caller") throw new Error("no caller");
    const outcomes: string[] = [];
    for (const secret of secrets) outcomes.push((await attemptCheckIn(db, registrar.caller, { secret })).status);
    expect(outcomes.filter((s) => s === "already_checked_in")).toHaveLength(10);
    expect(outcomes.filter((s) => s === "checked_in")).toHaveLength(TICKETS - 10);
    expect((await expectCountedOnce(db)).size).toBe(TICKETS);
  });

  it("two doors scanning the same tickets, both killed mid-burst: no ticket checked in twice, every acknowledged check-in kept", { timeout: 60_000 }, async () => {
    const runs = await runChildren([await doorJob(secrets), await doorJob([...secrets].reverse())], 20);
    for (const run of runs) expect(run.lines.includes("done"), run.stderr).toBe(false);
    const acknowledged = runs.flatMap((run) => run.lines.filter((line) => line.startsWith("checked_in ")).map((line) => line.split(" ")[1]));
    expect(new Set(acknowledged).size).toBe(acknowledged.length);

    const db = await restart();
    const checkedIn = await expectCountedOnce(db);
    for (const id of acknowledged) expect(checkedIn.has(id), `acknowledged check-in ${id}`).toBe(true);
  });
});
