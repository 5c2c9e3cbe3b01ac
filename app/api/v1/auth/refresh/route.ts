import { db } from "@/db/client";
import { refreshRequestSchema, refreshTokens } from "@/server/auth/api-tokens";
import { json, readJson, route } from "@/server/http/respond";

export const POST = route(async (request) => {
  const { refreshToken } = await readJson(request, refreshRequestSchema);
  return json(await refreshTokens(db(), refreshToken));
});
