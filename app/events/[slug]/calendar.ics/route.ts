import { db } from "@/db/client";
import { eventCalendar } from "@/server/events/calendar";
import { getVisibleEventBySlug } from "@/server/events/service";
import { route } from "@/server/http/respond";

// "Add to calendar": a published event as an iCalendar file. It reads no credentials, so a draft
// is "not found" here whoever asks (server/access.ts: "no-credentials").
type Context = { params: Promise<{ slug: string }> };

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(async (_request: Request, ctx: Context) => {
  const { event } = await getVisibleEventBySlug(db(), null, (await ctx.params).slug);
  return new Response(eventCalendar(event), {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      // The slug matched [A-Za-z0-9_-] in getVisibleEventBySlug: safe inside the quotes.
      "Content-Disposition": `attachment; filename="${event.slug}.ics"`,
      // The same for everyone, but an event can be changed or unpublished at any time.
      "Cache-Control": "no-cache",
    },
  });
});
