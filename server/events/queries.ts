import "server-only";
import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events } from "@/db/schema";

export function listPublishedEvents(db: Db) {
  return db.select().from(events).where(eq(events.published, true)).orderBy(asc(events.startsAt));
}
