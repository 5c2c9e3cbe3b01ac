import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "@/db/client";
import type { Caller } from "@/server/auth/caller";
import { randomId } from "@/server/ids";
import { ticketWorld, type TicketWorld } from "@/server/testing/ticket-order";
import { downloadsOfOrder, recordTicketDownload, type DownloadRecord } from "./downloads";

// Downloads that arrive together are stored by one INSERT (server/tickets/downloads.ts). What a
// download relies on is unchanged: its row is stored before its call resolves, and a row that
// can't be stored fails only its own download.

let w: TicketWorld;
let buyer: Caller;
beforeEach(async () => {
  w = await ticketWorld();
  const user = w.users.buyer;
  buyer = { user: { id: user.id, email: user.email, name: user.name, role: user.role, emailVerified: true }, sessionId: randomId(), via: "bearer", scopes: new Set(["tickets:read"]) };
});

function record(at: number, order: DownloadRecord["order"] = { id: w.order.id, eventId: w.event.id }): DownloadRecord {
  return { caller: buyer, order, attendeeIds: w.order.attendees.map((a) => a.id), visibility: { scope: "all", as: "buyer" }, ip: "192.0.2.7", at };
}

describe("downloads arriving together", () => {
  it("stores every row of a burst, each one before its own call resolves", async () => {
    const seenWhenResolved: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordTicketDownload(w.db, record(1_000 + i)).then(async () => {
          const rows = await downloadsOfOrder(w.db, w.order.id);
          if (rows.some((row) => row.at === 1_000 + i)) seenWhenResolved.push(i);
        }),
      ),
    );
    const rows = await downloadsOfOrder(w.db, w.order.id);
    expect(rows.map((row) => row.at).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => 1_000 + i));
    expect(seenWhenResolved).toHaveLength(40);
    expect(rows.every((row) => row.userId === buyer.user.id && row.ip === "192.0.2.7" && row.accessAs === "buyer")).toBe(true);
  });

  it("fails only the download whose row can't be stored; the others of its burst are stored", async () => {
    const missingOrder = { id: randomId(), eventId: w.event.id };
    const results = await Promise.allSettled([
      recordTicketDownload(w.db, record(1)),
      recordTicketDownload(w.db, record(2, missingOrder)),
      recordTicketDownload(w.db, record(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await downloadsOfOrder(w.db, w.order.id)).map((row) => row.at)).toEqual([1, 3]);
    expect(await downloadsOfOrder(w.db, missingOrder.id)).toEqual([]);
  });

  it("inside a transaction, stores the row in it: rolled back with it", async () => {
    await expect(
      transaction(w.db, async (tx) => {
        await recordTicketDownload(tx, record(5));
        expect((await downloadsOfOrder(tx, w.order.id)).map((row) => row.at)).toEqual([5]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await downloadsOfOrder(w.db, w.order.id)).toEqual([]);
  });
});
