import { route } from "@/server/http/respond";
import { serveTickets } from "@/server/tickets/serve";

// One ticket. An attendee not in this order (or of another order) is 404; one in the order that
// the caller may not see (a holder asking for someone else's ticket) is 403. See
// requireVisibleAttendee in server/access.ts.
type Context = { params: Promise<{ orderIdentifier: string; attendeeIdentifier: string }> };

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(async (request: Request, ctx: Context) => serveTickets(request, await ctx.params, "GET /tickets/[orderIdentifier]/[attendeeIdentifier]"));
export const HEAD = route(async (request: Request, ctx: Context) => serveTickets(request, await ctx.params, "HEAD /tickets/[orderIdentifier]/[attendeeIdentifier]"));
