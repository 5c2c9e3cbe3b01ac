import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attendees, eventMembers, events, orders, users } from "@/db/schema";
import { freshDb } from "@/server/test-support";
import { DEMO_EVENT_NAME, seedDemo } from "./seed";

describe("demo seed", () => {
  it("creates DESIGN.md's demo data, and running it twice changes nothing", async () => {
    const db = freshDb();
    await seedDemo();
    await seedDemo();
    const count = (table: typeof users | typeof events | typeof orders | typeof attendees) => db.select({ n: sql<number>`count(*)` }).from(table).get()!.n;
    expect(count(users)).toBe(6);
    expect(count(events)).toBe(1);
    expect(count(orders)).toBe(1);
    const event = db.select().from(events).get()!;
    expect(event).toMatchObject({ name: DEMO_EVENT_NAME, published: true });
    const team = db
      .select({ email: users.email, role: eventMembers.role })
      .from(eventMembers)
      .innerJoin(users, sql`${users.id} = ${eventMembers.userId}`)
      .all();
    expect(team).toEqual(expect.arrayContaining([{ email: "organizer@demo.test", role: "owner" }, { email: "registrar@demo.test", role: "registrar" }]));
    expect(team).toHaveLength(2);
    const order = db.select().from(orders).get()!;
    expect(order.buyerEmail).toBe("alice@demo.test");
    expect(db.select({ email: attendees.email }).from(attendees).all().map((a) => a.email)).toEqual(["alice@demo.test", "bob@demo.test"]);
    expect(db.select({ verified: users.emailVerifiedAt }).from(users).all().every((u) => u.verified !== null)).toBe(true);
  });
});
