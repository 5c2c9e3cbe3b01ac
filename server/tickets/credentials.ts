import "server-only";
import type { Db } from "@/db/client";
import { isUniqueViolation, underSavepoint } from "@/db/errors";
import { newDoorCode } from "@/lib/door-code";
import { randomId } from "@/server/ids";

/**
 * A ticket's two ways through the door, issued and replaced together: the QR code's secret
 * (128 bits) and the short code printed under it (50 bits).
 */
export function freshCredentials(): { checkinSecret: string; doorCode: string } {
  return { checkinSecret: randomId(), doorCode: newDoorCode() };
}

/**
 * Runs a write of fresh credentials, and runs it again if a door code clashed with an existing
 * ticket's, after `redraw` (for a write that doesn't draw its codes itself). With 50 bits a clash
 * is rare (about 1 in 10^9 per ticket among a million), but it must not fail an order. Each try
 * runs under a savepoint (db/errors.ts), so a clash inside a transaction loses nothing else.
 */
export async function retryOnDoorCodeClash<T>(db: Db, write: (db: Db) => Promise<T>, redraw: () => void = () => undefined, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await underSavepoint(db, write);
    } catch (error) {
      if (attempt >= attempts || !isUniqueViolation(error, "attendees.door_code")) throw error;
      redraw();
    }
  }
}
