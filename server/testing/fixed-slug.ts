import type { Db } from "@/db/client";
import { eventInputSchema } from "@/server/events/schemas";
import { createEvent } from "@/server/events/service";
import { eventInput } from "@/server/testing/event-fixtures";

/**
 * createEvent for the race harness (server/testing/race.ts), with the slug suffixes it tries in a
 * given order: contenders that all try the same suffix first collide for real.
 */
export async function createEventWithSuffixes(db: Db, ownerId: string, name: string, suffixes: string[]) {
  const queue = [...suffixes];
  const event = await createEvent(db, ownerId, eventInputSchema.parse(eventInput({ name })), Date.now(), () => queue.shift() ?? "exhausted");
  return event.slug;
}
