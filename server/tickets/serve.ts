import "server-only";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db, type Db } from "@/db/client";
import { events, orders } from "@/db/schema";
import { requireOrderAccess, type AccessKey, requireVisibleAttendee, visibleAttendees } from "@/server/access";
import { clientIp } from "@/server/auth/caller";
import { notFound } from "@/server/errors";
import { requireCaller } from "@/server/http/caller";
import { errorResponse, prefersHtml } from "@/server/http/respond";
import { looksLikeIdentifier } from "@/server/ids";
import { recordTicketDownload } from "./downloads";
import { openTicketFile } from "./storage";

/**
 * The HTTP side of `GET|HEAD /tickets/{orderIdentifier}[/{attendeeIdentifier}]`: authenticate,
 * ask server/access.ts what the caller may see, get the cached PDF, audit, stream. Errors are
 * thrown as TRPCErrors and turned into the contract's shape by `route()`.
 */

const paramsSchema = z.object({
  orderIdentifier: z.string(),
  attendeeIdentifier: z.string().optional(),
});

/** Typical orders' PDFs (tens of KiB) go out in one piece; bigger ones are streamed. */
const IN_MEMORY_MAX_BYTES = 512 * 1024;

export async function serveTickets(request: Request, rawParams: unknown, route: AccessKey): Promise<Response> {
  // Authentication and scope come before any lookup: an API client without credentials or scope
  // learns nothing about which orders exist.
  let caller;
  try {
    caller = await requireCaller(request, route);
  } catch (error) {
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED" && request.method !== "HEAD" && prefersHtml(request)) {
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

  const file = await openTicketFile(database, order.id, attendeeIds);
  // Both identifiers come from our own rows and match [A-Za-z0-9_-]: safe inside the quotes.
  const name = params.attendeeIdentifier === undefined ? order.id : file.attendeeIds[0];
  const headers = new Headers({
    "Content-Type": "application/pdf",
    "Content-Disposition": `attachment; filename="ticket-${name}.pdf"`,
    "Cache-Control": "private, no-store",
    "Content-Length": String(file.size),
  });

  if (request.method === "HEAD") {
    file.close();
    return new Response(null, { status: 200, headers });
  }

  try {
    await recordTicketDownload(database, { caller, order, attendeeIds: file.attendeeIds, visibility, ip: clientIp(request.headers) });
  } catch (error) {
    file.close();
    throw error;
  }
  // Read or streamed from the already-open descriptor, so a concurrent sweep can't cut it short;
  // a large order is streamed (closed when it ends or the client goes away), never held in memory.
  const body = file.size <= IN_MEMORY_MAX_BYTES ? new Uint8Array(file.readAll()) : file.webStream();
  return new Response(body, { status: 200, headers });
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

