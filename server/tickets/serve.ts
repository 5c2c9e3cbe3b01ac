import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db, type Db } from "@/db/client";
import { events, orders } from "@/db/schema";
import { requireOrderAccess, type AccessKey, requireVisibleAttendee, visibleAttendees } from "@/server/access";
import { clientIp } from "@/server/auth/caller";
import { AppError, notFound } from "@/server/errors";
import { requireCaller } from "@/server/http/caller";
import { errorResponse, prefersHtml } from "@/server/http/respond";
import { looksLikeIdentifier } from "@/server/ids";
import { recordTicketDownload } from "./downloads";
import { ticketPdf } from "./cache";
import { printedTicketsFor } from "./printed";

/**
 * Serving `GET|HEAD /tickets/{orderIdentifier}[/{attendeeIdentifier}]`: authenticate, ask
 * server/access.ts what the caller may see, read what is printed (./printed.ts), get its PDF from
 * the cache (./cache.ts, rendered by ./document.tsx when missing), record the download
 * (./downloads.ts), send it. Errors are thrown as AppErrors and turned into the contract's shape
 * by `route()`.
 */

const paramsSchema = z.object({
  orderIdentifier: z.string(),
  attendeeIdentifier: z.string().optional(),
});

export async function serveTickets(request: Request, rawParams: unknown, route: AccessKey): Promise<Response> {
  // Authentication and scope come before any lookup: an API client without credentials or scope
  // learns nothing about which orders exist.
  let caller;
  try {
    caller = await requireCaller(request, route);
  } catch (error) {
    if (error instanceof AppError && error.code === "UNAUTHORIZED" && request.method !== "HEAD" && prefersHtml(request)) {
      return await signInToDownload(request, error.message, rawParams);
    }
    throw error;
  }
  const parsed = paramsSchema.safeParse(rawParams);
  // Params come from the URL path; anything not shaped like a path segment is just "not found".
  if (!parsed.success) throw notFound("No such order");
  const params = parsed.data;

  const database = db();
  const { order, visibility } = await requireOrderAccess(database, caller, params.orderIdentifier);
  const attendeeIds =
    params.attendeeIdentifier === undefined
      ? (orderAttendeeIds: string[]) => visibleAttendees(orderAttendeeIds.map((id) => ({ id })), visibility).map((a) => a.id)
      : [(await requireVisibleAttendee(database, order, visibility, params.attendeeIdentifier)).id];

  const tickets = await printedTicketsFor(database, order.id, attendeeIds);
  const pdf = await ticketPdf(tickets);
  // Both identifiers come from our own rows and match [A-Za-z0-9_-]: safe inside the quotes.
  const name = params.attendeeIdentifier === undefined ? order.id : tickets[0].attendeeIdentifier;
  const headers = {
    "Content-Type": "application/pdf",
    "Content-Disposition": `attachment; filename="ticket-${name}.pdf"`,
    "Cache-Control": "private, no-store",
    "Content-Length": String(pdf.length),
  };
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });

  // Recorded before the bytes go out: a download the audit trail doesn't show never happens.
  await recordTicketDownload(database, { caller, order, attendeeIds: tickets.map((t) => t.attendeeIdentifier), visibility, ip: clientIp(request.headers) });
  return new Response(pdf, { status: 200, headers });
}

/**
 * A person who opened an emailed ticket link while signed out: the page names the event (the
 * order identifier in the link is itself a 128-bit secret) and its "Sign in" returns to the link,
 * which then downloads. API clients still get the JSON 401.
 */
async function signInToDownload(request: Request, message: string, rawParams: unknown): Promise<Response> {
  const orderIdentifier = (rawParams as { orderIdentifier?: unknown } | null)?.orderIdentifier;
  const eventName = looksLikeIdentifier(orderIdentifier) ? await eventNameOfOrder(db(), orderIdentifier) : undefined;
  return errorResponse(request, 401, "UNAUTHORIZED", message, {
    page: {
      title: eventName ? `Sign in to download your ticket for ${eventName}` : "Sign in to download your ticket",
      body: "Sign in with the email address the ticket was sent to. The download starts once you are signed in.",
    },
  });
}

async function eventNameOfOrder(database: Db, orderIdentifier: string): Promise<string | undefined> {
  const [row] = await database.select({ name: events.name }).from(orders).innerJoin(events, eq(events.id, orders.eventId)).where(eq(orders.id, orderIdentifier)).limit(1);
  return row?.name;
}

