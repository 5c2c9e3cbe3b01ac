import { db } from "@/db/client";
import { revokeSession } from "@/server/auth/sessions";
import { requireBearer } from "@/server/http/caller";
import { route } from "@/server/http/respond";

/** Revokes the whole API session: its access tokens and refresh tokens die together. */
export const POST = route(async (request) => {
  const caller = await requireBearer(request, "POST /api/v1/auth/logout");
  await revokeSession(db(), caller.sessionId, "logged_out");
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
});
