import { forbidden, redirect } from "next/navigation";
import { db } from "@/db/client";
import { loadForPage } from "@/app/_lib/load-for-page";
import { requirePageCaller } from "@/server/auth/page-session";
import { eventDashboardAccess } from "@/server/events/dashboard";
import { liveCounts } from "@/server/events/service";
import { eventSectionHref, type EventSection } from "./sections";

/**
 * The access check every event dashboard page runs itself (a layout alone would not do: a page
 * can render without its layout re-running). Anonymous → sign in; unknown event → 404; not on the
 * team → 403. Registrars only ever get the check-in screen; staff read everything but the door.
 */
export async function loadEventDashboard(eventId: string, section: EventSection) {
  const here = eventSectionHref(eventId, section);
  const caller = await requirePageCaller(here);
  const access = loadForPage(() => eventDashboardAccess(db(), caller, eventId), here);
  if (section === "checkin") {
    if (!access.may.checkIn) forbidden();
  } else if (!access.may.view) {
    redirect(eventSectionHref(access.event.id, "checkin"));
  }
  return { caller, ...access, counts: liveCounts(db(), access.event.id) };
}

export type EventDashboard = Awaited<ReturnType<typeof loadEventDashboard>>;
