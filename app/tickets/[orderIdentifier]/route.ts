import { route } from "@/server/http/respond";
import { serveTickets } from "@/server/tickets/serve";

// Every ticket of the order the caller may see (buyer, owner, organizer, staff: all; a holder:
// their own). Access rules live in server/access.ts; see server/tickets/serve.ts.
type Context = { params: Promise<{ orderIdentifier: string }> };

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(async (request: Request, ctx: Context) => serveTickets(request, await ctx.params, "GET /tickets/[orderIdentifier]"));
export const HEAD = route(async (request: Request, ctx: Context) => serveTickets(request, await ctx.params, "HEAD /tickets/[orderIdentifier]"));
