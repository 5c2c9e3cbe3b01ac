import { db } from "@/db/client";
import { healthOf } from "@/server/health/health";
import { json, route } from "@/server/http/respond";

// For load balancers and monitoring: 200 while this instance can serve, 503 while its database
// doesn't answer or it is shutting down; the mail queue's state either way. Reads no credentials.
export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const health = await healthOf(db);
  return json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
});
