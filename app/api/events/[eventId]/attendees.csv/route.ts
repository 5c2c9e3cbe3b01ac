import { z } from "zod";
import { db } from "@/db/client";
import { requireEventPermission } from "@/server/access";
import { attendeeCsvStream } from "@/server/attendees/csv-export";
import { recordAudit } from "@/server/audit";
import { requireCaller } from "@/server/http/caller";
import { route } from "@/server/http/respond";
import { searchText } from "@/server/search-text";

const filterSchema = z.object({
  search: searchText,
  ticketTypeId: z.string().min(1).max(64).optional(),
  checkedIn: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  cancelled: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
});

/** CSV export of an event's attendees (the dashboard's filters apply), streamed. */
export const GET = route(async (request, { params }: { params: Promise<{ eventId: string }> }) => {
  const caller = await requireCaller(request, "GET /api/events/[eventId]/attendees.csv");
  const { eventId } = await params;
  const event = await requireEventPermission(db(), caller, eventId, "view_event");
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const filter = filterSchema.parse(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== "")));
  await recordAudit(db(), { eventId: event.id, caller, action: "attendees_exported", detail: filter });
  const date = new Date().toISOString().slice(0, 10);
  return new Response(attendeeCsvStream(db(), { ...filter, eventId: event.id }), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="attendees-${event.slug}-${date}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
});
