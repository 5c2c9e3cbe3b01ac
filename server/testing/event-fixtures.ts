import type { AppDb } from "@/db/client";
import type { User } from "@/db/schema";
import { eventInputSchema } from "@/server/events/schemas";
import { createEvent } from "@/server/events/service";

/** A valid events.create input; tests override what they are about. */
export function eventInput(overrides: Record<string, unknown> = {}) {
  return {
    name: "Test Conf",
    description: "A day of talks",
    venue: "Hall 1",
    startsAtLocal: "2030-03-14T09:00",
    endsAtLocal: "2030-03-14T17:00",
    timeZone: "Europe/Berlin",
    currency: "EUR" as const,
    published: true,
    ticketTypes: [
      { name: "General", priceCents: 4900, quantity: 100 },
      { name: "Workshop", priceCents: 12900, quantity: 10 },
    ],
    ...overrides,
  };
}

/** Creates an event owned by `owner` straight through the service (no tRPC round trip). */
export function makeEvent(db: AppDb, owner: Pick<User, "id">, overrides: Record<string, unknown> = {}) {
  return createEvent(db, owner.id, eventInputSchema.parse(eventInput(overrides)));
}
