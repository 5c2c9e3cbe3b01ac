import "server-only";
import { and, eq } from "drizzle-orm";
import QRCode from "qrcode";
import { z } from "zod";
import { db } from "@/db/client";
import { attendees } from "@/db/schema";
import { requireOrderAccess, requireVisibleAttendee } from "@/server/access";
import { clientIp } from "@/server/auth/caller";
import { AppError, notFound } from "@/server/errors";
import { requireCaller } from "@/server/http/caller";
import { NON_DOCUMENT_POLICY } from "@/server/http/security-headers";
import { recordTicketDownload } from "./downloads";

/**
 * `GET /tickets/{orderIdentifier}/{attendeeIdentifier}/qr.svg`: the ticket's QR for a phone screen
 * ("Show ticket"). The QR is the ticket, so it has the PDF's access rules (server/access.ts), is
 * never cached, and every showing is audited like a download. An SVG is a document that could
 * carry script: this one is drawn by qrcode from our own secret only, and is served under a
 * policy that allows nothing to run.
 */

const paramsSchema = z.object({ orderIdentifier: z.string(), attendeeIdentifier: z.string() });

export async function serveTicketQr(request: Request, rawParams: unknown): Promise<Response> {
  const caller = await requireCaller(request, "GET /tickets/[orderIdentifier]/[attendeeIdentifier]/qr.svg");
  const parsed = paramsSchema.safeParse(rawParams);
  if (!parsed.success) throw notFound("No such ticket");
  const database = db();
  const { order, visibility } = await requireOrderAccess(database, caller, parsed.data.orderIdentifier);
  const { id } = await requireVisibleAttendee(database, order, visibility, parsed.data.attendeeIdentifier);
  const [ticket] = await database.select({ secret: attendees.checkinSecret, status: attendees.status }).from(attendees).where(and(eq(attendees.id, id), eq(attendees.orderId, order.id))).limit(1);
  if (ticket.status !== "valid") throw new AppError("GONE", "This ticket has been cancelled", { reason: "TICKET_CANCELLED" });
  const svg = await QRCode.toString(ticket.secret, { type: "svg", errorCorrectionLevel: "M", margin: 4, color: { dark: "#000000", light: "#ffffff" } });
  await recordTicketDownload(database, { caller, order, attendeeIds: [id], visibility, ip: clientIp(request.headers), format: "qr" });
  return new Response(svg, {
    status: 200,
    headers: {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Cache-Control": "private, no-store",
      "Content-Security-Policy": NON_DOCUMENT_POLICY,
      "X-Content-Type-Options": "nosniff",
    },
  });
}
