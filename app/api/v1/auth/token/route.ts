import { db } from "@/db/client";
import { issueTokens, tokenRequestSchema } from "@/server/auth/api-tokens";
import { clientIp } from "@/server/auth/caller";
import { json, readJson, route } from "@/server/http/respond";

export const POST = route(async (request) => {
  const input = await readJson(request, tokenRequestSchema);
  const tokens = await issueTokens(db(), input, { ip: clientIp(request.headers), userAgent: request.headers.get("user-agent") ?? "" });
  return json(tokens);
});
