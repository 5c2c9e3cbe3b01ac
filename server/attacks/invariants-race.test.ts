import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventMembers, events, users } from "@/db/schema";
import { makeEvent } from "@/server/testing/event-fixtures";
import { freshDb, makeUser } from "@/server/testing/support";
import { race } from "@/server/testing/race";
import type { Caller } from "@/server/auth/caller";

/**
 * The invariants that must hold with many writers at once: on SQLite (worker threads, each with
 * its own connection to the file, as separate processes would have) and on PostgreSQL (each
 * worker its own connection pool, as separate instances would have). Each race's contenders are
 * released together by a barrier and start their calls together.
 */
const asCaller = (user: { id: string; email: string; name: string; role: "user" | "staff" | "admin" }): Caller => ({
  user: { id: user.id, email: user.email, name: user.name, role: user.role, emailVerified: true },
  sessionId: "race",
  via: "cookie",
  scopes: new Set(),
});

describe("invariants under concurrent writers", () => {
  it.each([
    ["removing", "removeTeamMember", {}],
    ["demoting", "changeTeamRole", { role: "organizer" }],
  ])("an event always keeps an owner: of two owners %s each other at once, one is refused", { timeout: 120_000 }, async (_, exportName, change) => {
    const db = await freshDb();
    const [a, b] = [await makeUser(db, { name: "Owner A" }), await makeUser(db, { name: "Owner B" })];
    const EVENTS = 10;
    const eventIds: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const event = await makeEvent(db, a);
      await db.insert(eventMembers).values({ eventId: event.id, userId: b.id, role: "owner", createdAt: Date.now() });
      eventIds.push(event.id);
    }
    // Contender 0 is A removing (or demoting) B on every event, contender 1 is B doing it to A, all calls at once.
    const owners = [a, b];
    const reports = await race(2, db.$admit.location, "server/team/team.ts", exportName, (contender, call) => [
      { id: eventIds[call] },
      asCaller(owners[contender]),
      { userId: owners[1 - contender].id, ...change },
    ], EVENTS, { overlapCalls: true });

    const outcomes = reports.map((r) => (r.ok ? "done" : r.code));
    expect(outcomes.filter((o) => o !== "done" && o !== "CONFLICT")).toEqual([]);
    expect(outcomes.filter((o) => o === "done")).toHaveLength(EVENTS);
    for (const eventId of eventIds) {
      const left = await db.select().from(eventMembers).where(and(eq(eventMembers.eventId, eventId), eq(eventMembers.role, "owner")));
      expect(left, eventId).toHaveLength(1);
    }
  });

  it("the system always keeps an admin: of two admins demoting each other at once, one is refused", { timeout: 120_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const db = await freshDb();
      const admins = [await makeUser(db, { role: "admin" }), await makeUser(db, { role: "admin" })];
      const reports = await race(2, db.$admit.location, "server/admin/admin.ts", "setUserRole", (contender) => [
        asCaller(admins[contender]),
        { userId: admins[1 - contender].id, role: "user" },
      ]);
      const outcomes = reports.map((r) => (r.ok ? "demoted" : r.code)).sort();
      expect(outcomes).toEqual(["CONFLICT", "demoted"]);
      expect(await db.select().from(users).where(eq(users.role, "admin"))).toHaveLength(1);
    }
  });

  it("slugs stay unique: events created at once that all try the same slug first get distinct ones", { timeout: 120_000 }, async () => {
    const db = await freshDb();
    const owner = await makeUser(db);
    const CONTENDERS = 6;
    const reports = await race<string>(CONTENDERS, db.$admit.location, "server/testing/fixed-slug.ts", "createEventWithSuffixes", (contender) => [
      owner.id,
      "Clash Conf",
      ["same00", `own${contender}00`],
    ]);
    expect(reports.filter((r) => !r.ok)).toEqual([]);
    const slugs = reports.map((r) => (r as { value: string }).value);
    expect(new Set(slugs).size).toBe(CONTENDERS);
    expect(slugs.filter((slug) => slug === "clash-conf-same00")).toHaveLength(1);
    expect(await db.select().from(events)).toHaveLength(CONTENDERS);
  });
});
