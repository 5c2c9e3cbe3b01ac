import { requireBearer } from "@/server/http/caller";
import { json, route } from "@/server/http/respond";

export const GET = route(async (request) => {
  const { user } = await requireBearer(request, "GET /api/v1/me");
  return json({ id: user.id, email: user.email, name: user.name, role: user.role });
});
