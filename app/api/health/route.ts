import { db } from "@/db/client";
import { BUSY_RETRY_AFTER_SECONDS } from "@/db/errors";
import { healthOf } from "@/server/health/health";
import { json, route } from "@/server/http/respond";

// For load balancers and monitoring: 200 while this instance can serve, 503 while its database
// doesn't answer (with Retry-After: it answers again by itself once the database is back) or it
// is shutting down; the mail queue's state either way. Reads no credentials.
export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const health = await healthOf(db);
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (health.status === "unavailable") headers["Retry-After"] = String(BUSY_RETRY_AFTER_SECONDS);
  return json(health, { status: health.status === "ok" ? 200 : 503, headers });
});
