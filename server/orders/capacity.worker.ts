import { parentPort, workerData } from "node:worker_threads";
import { TRPCError } from "@trpc/server";
import { openDb } from "@/db/client";
import { authenticateCookie } from "@/server/auth/caller";
import { placeOrder } from "./place";
import { placeOrderInputSchema } from "./schemas";

/**
 * One buyer in the capacity race (server/orders/capacity.test.ts): its own thread and its own
 * SQLite connection to the shared file, like one of several server processes. Waits at the
 * barrier until every worker is ready, then places its orders as fast as it can and reports.
 */
export type WorkerData = {
  file: string;
  sessionSecret: string;
  eventId: string;
  ticketTypeId: string;
  orders: number;
  email: string;
  /** [0]: 1 once released; [1]: how many workers are ready. */
  barrier: SharedArrayBuffer;
};
export type Outcome = "ok" | "CONFLICT" | `other:${string}`;

const data = workerData as WorkerData;
const db = openDb(data.file, { migrate: false });
const auth = authenticateCookie(db, data.sessionSecret);
if (auth.kind !== "caller") throw new Error("worker: the session did not authenticate");

const flags = new Int32Array(data.barrier);
Atomics.add(flags, 1, 1);
Atomics.wait(flags, 0, 0);

const outcomes: Outcome[] = [];
for (let i = 0; i < data.orders; i++) {
  const input = placeOrderInputSchema.parse({
    eventId: data.eventId,
    items: [{ ticketTypeId: data.ticketTypeId, quantity: 1 }],
    attendees: [{ ticketTypeId: data.ticketTypeId, name: `Racer ${i}`, email: data.email }],
  });
  try {
    placeOrder(db, auth.caller, input);
    outcomes.push("ok");
  } catch (error) {
    outcomes.push(error instanceof TRPCError && error.code === "CONFLICT" ? "CONFLICT" : `other:${String(error)}`);
  }
}
db.$client.close();
parentPort!.postMessage(outcomes);
