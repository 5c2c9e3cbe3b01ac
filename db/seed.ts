import "server-only";
import { and, eq } from "drizzle-orm";
import { db, migrateDb } from "@/db/client";
import { eventMembers, events, orders, users, type User } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import type { Caller } from "@/server/auth/caller";
import { config } from "@/server/config";
import { eventInputSchema } from "@/server/events/schemas";
import { addEventMember, createEvent, ticketTypesOf } from "@/server/events/service";
import { utcToZonedLocal } from "@/server/events/time";
import { placeOrder } from "@/server/orders/place";
import { placeOrderInputSchema } from "@/server/orders/schemas";

export const DEMO_PASSWORD = "demo-password";

export const DEMO_USERS = [
  { email: "organizer@demo.test", name: "Olivia Organizer" },
  { email: "registrar@demo.test", name: "Reggie Registrar" },
  { email: "staff@demo.test", name: "Sam Staff", role: "staff" as const },
  { email: "alice@demo.test", name: "Alice Buyer" },
  { email: "bob@demo.test", name: "Bob Holder" },
  { email: "carol@demo.test", name: "Carol Unrelated" },
];

export const DEMO_EVENT_NAME = "Demo Conf";

/** Idempotent: running it twice leaves one copy of everything. */
export async function seedDemo() {
  await migrateDb(db());
  const byEmail: Record<string, User> = {};
  for (const demo of DEMO_USERS) {
    const [existing] = await db().select().from(users).where(eq(users.email, demo.email)).limit(1);
    byEmail[demo.email] = existing ?? (await createUser(db(), { ...demo, password: DEMO_PASSWORD, verified: true }));
  }
  const organizer = byEmail["organizer@demo.test"];
  const alice = byEmail["alice@demo.test"];

  // Created through the same functions the app uses, so the demo data obeys the app's rules.
  const [existing] = await db()
    .select({ id: events.id, slug: events.slug })
    .from(events)
    .innerJoin(eventMembers, and(eq(eventMembers.eventId, events.id), eq(eventMembers.userId, organizer.id), eq(eventMembers.role, "owner")))
    .where(eq(events.name, DEMO_EVENT_NAME))
    .limit(1);
  const event = existing ?? (await createDemoEvent(organizer.id));
  await addEventMember(db(), event.id, byEmail["registrar@demo.test"].id, "registrar");

  const [aliceOrdered] = await db().select({ id: orders.id }).from(orders).where(and(eq(orders.eventId, event.id), eq(orders.buyerId, alice.id))).limit(1);
  if (!aliceOrdered) {
    const general = (await ticketTypesOf(db(), event.id)).find((type) => type.name === "General admission");
    if (!general) throw new Error(`${DEMO_EVENT_NAME} has no "General admission" tickets`);
    // The seed acts as Alice would in the app; it has no session because it never serves a request.
    const asAlice: Caller = {
      user: { id: alice.id, email: alice.email, name: alice.name, role: alice.role, emailVerified: true },
      sessionId: "seed",
      via: "cookie",
      scopes: new Set(),
    };
    await placeOrder(
      db(),
      asAlice,
      placeOrderInputSchema.parse({
        eventId: event.id,
        items: [{ ticketTypeId: general.id, quantity: 2 }],
        attendees: [
          { ticketTypeId: general.id, name: alice.name, email: alice.email },
          { ticketTypeId: general.id, name: byEmail["bob@demo.test"].name, email: "bob@demo.test" },
        ],
      }),
    );
  }
  return event;
}

function createDemoEvent(ownerId: string) {
  const timeZone = "Europe/Berlin";
  // A month from the day it is seeded, so the demo event is always upcoming.
  const day = utcToZonedLocal(Date.now() + 30 * 24 * 60 * 60_000, timeZone).slice(0, 10);
  return createEvent(
    db(),
    ownerId,
    eventInputSchema.parse({
      name: DEMO_EVENT_NAME,
      description: "A day of talks on tickets that can't be forged and sessions that can be revoked.\nLunch and coffee included.",
      venue: "Kulturbrauerei, Schönhauser Allee 36, Berlin",
      startsAtLocal: `${day}T09:00`,
      endsAtLocal: `${day}T18:00`,
      timeZone,
      currency: "EUR",
      published: true,
      ticketTypes: [
        { name: "General admission", priceCents: 4900, quantity: 200 },
        { name: "Workshop + talks", priceCents: 12900, quantity: 30 },
      ],
    }),
  );
}

if (process.argv[1]?.endsWith("seed.ts")) {
  if (config().env === "production" && !process.argv.includes("--force")) {
    console.error("Refusing to seed demo data with NODE_ENV=production (pass --force to override).");
    process.exit(1);
  }
  seedDemo().then((event) => console.log(`Demo data ready: ${DEMO_EVENT_NAME} at /events/${event.slug}`));
}
