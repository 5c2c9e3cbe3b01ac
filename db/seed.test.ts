import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attendees, eventMembers, events, orders, users } from "@/db/schema";
import { freshDb } from "@/server/testing/support";
import { DEMO_EVENT_NAME, seedDemo } from "./seed";

describe("demo seed", () => {
  it("creates the README's demo accounts, event and order, and running it twice changes nothing", async () => {
    const db = await freshDb();
    await seedDemo();
    await seedDemo();
    const count = async (table: typeof users | typeof events | typeof orders | typeof attendees) => (await db.select({ n: sql<number>`count(*)` }).from(table).limit(1))[0]!.n;
    expect(await count(users)).toBe(6);
    expect(await count(events)).toBe(1);
    expect(await count(orders)).toBe(1);
    const event = (await db.select().from(events).limit(1))[0]!;
    expect(event).toMatchObject({ name: DEMO_EVENT_NAME, published: true });
    const team = await db
      .select({ email: users.email, role: eventMembers.role })
      .from(eventMembers)
      .innerJoin(users, sql`${users.id} = ${eventMembers.userId}`);
    expect(team).toEqual(expect.arrayContaining([{ email: "organizer@demo.test", role: "owner" }, { email: "registrar@demo.test", role: "registrar" }]));
    expect(team).toHaveLength(2);
    const order = (await db.select().from(orders).limit(1))[0]!;
    expect(order.buyerEmail).toBe("alice@demo.test");
    expect((await db.select({ email: attendees.email }).from(attendees)).map((a) => a.email)).toEqual(["alice@demo.test", "bob@demo.test"]);
    expect((await db.select({ verified: users.emailVerifiedAt }).from(users)).every((u) => u.verified !== null)).toBe(true);
  });
});
