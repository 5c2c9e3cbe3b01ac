import { db } from "@/db/client";
import { requireBearer } from "@/server/http/caller";
import { json, route } from "@/server/http/respond";
import { getOrderView } from "@/server/orders/queries";

type Params = { params: Promise<{ orderIdentifier: string }> };

/** One order with the attendees the caller may see: 401 no/dead token, 403 not theirs, 404 unknown or malformed. */
export const GET = route(async (request, { params }: Params) => {
  const caller = await requireBearer(request, "GET /api/v1/orders/[orderIdentifier]");
  const { orderIdentifier } = await params;
  return json(await getOrderView(db(), caller, orderIdentifier));
});
