import { db } from "@/db/client";
import { databaseAnswers } from "@/server/health/health";
import { errorResponse, json, route } from "@/server/http/respond";

// For load balancers: 200 while the database answers, 503 otherwise. Reads no credentials.
export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  if (!(await databaseAnswers(db()))) return errorResponse(request, 503, "UNAVAILABLE", "The database does not answer");
  return json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
});
