import { sql } from "drizzle-orm";
import { execute, type Db } from "@/db/client";

/** How long a load balancer's check waits for the database before calling the instance down. */
export const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Whether this instance can serve: its database answers a trivial query in time. Everything the
 * app does needs the database (sessions, orders, tickets), so that is what "healthy" means; the
 * ticket PDF folder is a cache any instance rebuilds, so it doesn't count.
 */
export async function databaseAnswers(db: Db, timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([execute(db, sql`SELECT 1`).then(() => true), timedOut]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
