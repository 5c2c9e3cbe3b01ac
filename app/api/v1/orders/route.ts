import { db } from "@/db/client";
import { requireBearer } from "@/server/http/caller";
import { json, route } from "@/server/http/respond";
import { listMyOrders } from "@/server/orders/queries";

/** The caller's orders: ones they bought (every attendee) and ones they hold tickets in (their rows only). */
export const GET = route(async (request) => {
  const caller = await requireBearer(request, "GET /api/v1/orders");
  return json({ orders: await listMyOrders(db(), caller) });
});
