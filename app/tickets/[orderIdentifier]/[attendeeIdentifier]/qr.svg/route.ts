import { route } from "@/server/http/respond";
import { serveTicketQr } from "@/server/tickets/qr";

// One ticket's QR, for showing on a phone: the same access rules as the ticket's PDF (see
// server/tickets/qr.ts and requireVisibleAttendee in server/access.ts).
type Context = { params: Promise<{ orderIdentifier: string; attendeeIdentifier: string }> };

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(async (request: Request, ctx: Context) => serveTicketQr(request, await ctx.params));
