import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { db } from "@/db/client";
import { requireOrderAccess, visibleAttendees } from "@/server/access";
import { authenticateRequest, clientIp } from "@/server/auth/caller";
import { AppError } from "@/server/errors";
import { HTTP_STATUS } from "@/server/http/respond";
import { recordTicketDownload } from "@/server/tickets/downloads";
import { ticketPdf } from "@/server/tickets/cache";
import { printedTicketsFor } from "@/server/tickets/printed";

/**
 * The benchmark's "no framework" floor: `GET /tickets/{orderIdentifier}` on bare node:http,
 * doing the same work as the Next.js route through the same server functions (JWT verify with
 * jose, session, order and attendee lookups, cached file, audit insert, the file sent) and
 * nothing else. Not a second implementation of the route: no HTML error pages, no HEAD.
 * Run by bench/run.ts with the app's environment and BARE_PORT.
 */

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

function fail(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify({ error: { code, message } }));
}

const database = db();
const server = createServer(async (req, res) => {
  try {
    const match = /^\/tickets\/([^/?]+)$/.exec(req.url ?? "");
    if (req.method !== "GET" || !match) return fail(res, 404, "NOT_FOUND", "Not found");
    const headers = toHeaders(req.headers);
    const auth = await authenticateRequest(database, headers);
    if (auth.kind !== "caller") return fail(res, 401, "UNAUTHORIZED", "Sign in or send a Bearer token");
    if (!auth.caller.scopes.has("tickets:read")) return fail(res, 403, "FORBIDDEN", "This token lacks the tickets:read scope");
    const { order, visibility } = await requireOrderAccess(database, auth.caller, decodeURIComponent(match[1]));
    const ids = (orderAttendeeIds: string[]) => visibleAttendees(orderAttendeeIds.map((id) => ({ id })), visibility).map((a) => a.id);
    const tickets = await printedTicketsFor(database, order.id, ids);
    const pdf = await ticketPdf(tickets);
    await recordTicketDownload(database, { caller: auth.caller, order, attendeeIds: tickets.map((t) => t.attendeeIdentifier), visibility, ip: clientIp(headers) });
    res.writeHead(200, {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="ticket-${order.id}.pdf"`,
      "Cache-Control": "private, no-store",
      "Content-Length": String(pdf.length),
    });
    res.end(pdf);
  } catch (error) {
    if (error instanceof AppError) return fail(res, HTTP_STATUS[error.code], error.code, error.message);
    console.error(error);
    fail(res, 500, "INTERNAL_SERVER_ERROR", "Something went wrong");
  }
});

const port = Number(process.env.BARE_PORT ?? 3199);
server.listen(port, () => console.log(`bare server listening on http://localhost:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
