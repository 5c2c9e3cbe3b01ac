import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as exportCsv } from "@/app/api/events/[eventId]/attendees.csv/route";
import { insertOrder } from "@/server/testing/inserts";
import { buildWorld, type World } from "@/server/testing/world";
import { dialect } from "@/db/dialect";
import { attendeeCsvStream } from "./csv-export";

/**
 * Attack suite, finding 2: a CSV export whose statement failed (a NUL in its search broke
 * SQLite's full-text query) kept its read-only connection open, a few file descriptors per
 * request. Every connection the export opens is recorded here, to check it is closed on every
 * way out.
 */
const opened = vi.hoisted(() => [] as Database.Database[]);
vi.mock("@/db/client", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/db/client")>();
  return {
    ...actual,
    openReadOnlyClient: (...args: Parameters<typeof actual.openReadOnlyClient>) => {
      const client = actual.openReadOnlyClient(...args);
      opened.push(client);
      return client;
    },
  };
});

let world: World;
beforeEach(async () => {
  opened.length = 0;
  world = await buildWorld(path.join(mkdtempSync(path.join(tmpdir(), "admit-csv-stream-")), "csv.db"));
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

/**
 * Connections the export still holds: on SQLite its read-only connections still open, on
 * PostgreSQL the pool's clients still checked out (the export takes one, db/batches.ts).
 */
const stillOpen = () => {
  const pool = world.db.$admit.pool;
  return pool ? Array.from({ length: pool.totalCount - pool.idleCount }) : opened.filter((client) => client.open);
};
/** How many connections exports opened so far (PostgreSQL's come from the pool and aren't counted). */
const expectOpened = (n: number) => {
  if (dialect === "sqlite") expect(opened).toHaveLength(n);
};

describe("attendee CSV stream releases its statement and connection", () => {
  it("finding 2, CSV export: after the statement fails mid-export (a NUL that reached SQLite)", async () => {
    // Straight to the stream: the route itself now refuses such a search (server/http/attacks.test.ts).
    const stream = attendeeCsvStream(world.db, { eventId: world.event.id, search: "ab\u0000cd" });
    await expect(new Response(stream).text()).rejects.toThrow();
    expectOpened(1);
    expect(stillOpen()).toEqual([]);
  });

  it("finding 2, CSV export: after the client aborts a download halfway", async () => {
    // More rows than one batch (1,000), so the export is still open after the first chunk.
    for (let i = 0; i < 3; i++) {
      await insertOrder(world.db, world.event, world.users.buyer, Array.from({ length: 1000 }, (_, n) => ({ name: `Guest ${i}-${n}`, email: `guest-${i}-${n}@csv.test` })));
    }
    const response = await exportCsv(
      new Request(`http://localhost/api/events/${world.event.id}/attendees.csv`, { headers: { cookie: `admit.session=${(await world.cookieFor("organizer")).cookie}` } }),
      { params: Promise.resolve({ eventId: world.event.id }) },
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(stillOpen()).toHaveLength(1);
    // What Next.js does when the browser goes away: cancel the body.
    await reader.cancel();
    expect(stillOpen()).toEqual([]);
  });

  it("after the last row, and a second export opens a fresh connection", async () => {
    for (let round = 1; round <= 2; round++) {
      const text = await new Response(attendeeCsvStream(world.db, { eventId: world.event.id })).text();
      expect(text.trim().split("\n")).toHaveLength(3); // header + the world's two attendees
      expectOpened(round);
      expect(stillOpen()).toEqual([]);
    }
  });
});
