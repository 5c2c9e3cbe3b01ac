import { Worker } from "node:worker_threads";
import { eq, notInArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attendees, orders, ticketTypes } from "@/db/schema";
import { createBrowserSession } from "@/server/auth/sessions";
import { makeEvent } from "@/server/events/test-fixtures";
import { freshDb, makeUser } from "@/server/test-support";
import type { Outcome, WorkerData } from "./capacity.worker";

const WORKERS = 8;
const ORDERS_PER_WORKER = 25;
const SEATS = 50;

/**
 * better-sqlite3 is synchronous, so Promise.all in one thread would run orders one after another
 * and prove nothing. Real concurrency: worker threads, each with its own connection to the same
 * database file, released at the same moment.
 */
function startWorker(data: WorkerData): Promise<Outcome[]> {
  // The worker is TypeScript; tsx's API loads it (Node 20 workers don't take `--import tsx`).
  // A bare specifier in eval'd code resolves from the working directory, the project root.
  const file = new URL("./capacity.worker.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then((api) => api.tsImport(${JSON.stringify(file)}, ${JSON.stringify(file)}));`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  return new Promise<Outcome[]>((resolve, reject) => {
    worker.once("message", (outcomes) => resolve(outcomes as Outcome[]));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`worker exited (${code}) without reporting`)));
  });
}

describe("capacity under concurrency", () => {
  it(`sells exactly ${SEATS} seats to ${WORKERS * ORDERS_PER_WORKER} racing orders, the rest 409, no orphan rows`, async () => {
    const db = freshDb();
    const owner = await makeUser(db);
    const event = makeEvent(db, owner, { ticketTypes: [{ name: "Racy", priceCents: 1000, quantity: SEATS }] });
    const ticketTypeId = event.ticketTypes[0].id;

    // Every worker waits at a shared barrier, so all of them start placing orders at once.
    const barrier = new SharedArrayBuffer(8);
    const flags = new Int32Array(barrier);
    const runs: Promise<Outcome[]>[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const buyer = await makeUser(db, { email: `racer-${i}-${Date.now()}@example.test` });
      const { secret } = createBrowserSession(db, buyer.id, { device: "race", ip: "127.0.0.1" });
      runs.push(startWorker({ file: db.$client.name, sessionSecret: secret, eventId: event.id, ticketTypeId, orders: ORDERS_PER_WORKER, email: buyer.email, barrier }));
    }
    const deadline = Date.now() + 90_000;
    while (Atomics.load(flags, 1) < WORKERS) {
      if (Date.now() > deadline) throw new Error(`only ${Atomics.load(flags, 1)} workers got ready`);
      await new Promise((r) => setTimeout(r, 5));
    }
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    const outcomes = (await Promise.all(runs)).flat();

    expect(outcomes.filter((o) => o.startsWith("other"))).toEqual([]);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(SEATS);
    expect(outcomes.filter((o) => o === "CONFLICT")).toHaveLength(WORKERS * ORDERS_PER_WORKER - SEATS);
    expect(db.select().from(ticketTypes).where(eq(ticketTypes.id, ticketTypeId)).get()!.sold).toBe(SEATS);
    expect(db.select({ n: sql<number>`count(*)` }).from(attendees).get()!.n).toBe(SEATS);
    expect(db.select({ n: sql<number>`count(*)` }).from(orders).get()!.n).toBe(SEATS);
    // Every order has exactly its one attendee, and no attendee lacks an order.
    const perOrder = db.select({ orderId: attendees.orderId, n: sql<number>`count(*)` }).from(attendees).groupBy(attendees.orderId).all();
    expect(perOrder.every((row) => row.n === 1)).toBe(true);
    const orderIds = db.select({ id: orders.id }).from(orders).all().map((o) => o.id);
    expect(db.select().from(attendees).where(notInArray(attendees.orderId, orderIds)).all()).toEqual([]);
  }, 120_000);
});
