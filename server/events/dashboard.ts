import "server-only";
import { and, count, eq, isNotNull, max, min, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attendees, type Event } from "@/db/schema";
import { can, eventRoleOf, isStaff, requireEventPermission, type EventPermission, type EventRole } from "@/server/access";
import type { Caller } from "@/server/auth/caller";
import { AppError, forbidden } from "@/server/errors";

/** What the event dashboard may show one caller: each flag is a server/access.ts permission. */
export type EventDashboardAccess = {
  event: Event;
  /** The caller's place on the team, or null for staff who aren't on it. */
  role: EventRole | null;
  staff: boolean;
  may: { view: boolean; manage: boolean; manageTeam: boolean; checkIn: boolean };
};

/** The event when the caller holds `permission`, null when only that is missing (403). */
async function eventIfPermitted(db: Db, caller: Caller | null, eventId: string, permission: EventPermission): Promise<Event | null> {
  try {
    return await requireEventPermission(db, caller, eventId, permission);
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") return null;
    throw error;
  }
}

/**
 * The gate of the event dashboard pages. Someone who may neither view the event nor check people
 * in gets 403; anonymous 401 and unknown ids 404, exactly as the procedures behind the pages
 * answer. A registrar passes (on check-in alone), and the pages send them to the check-in screen.
 */
export async function eventDashboardAccess(db: Db, caller: Caller | null, eventId: string): Promise<EventDashboardAccess> {
  const event = (await eventIfPermitted(db, caller, eventId, "view_event")) ?? (await eventIfPermitted(db, caller, eventId, "check_in"));
  if (!event || !caller) throw forbidden("You are not on this event's team");
  const [role, view, manage, manageTeam, checkIn] = await Promise.all([
    eventRoleOf(db, caller.user.id, event.id),
    can(db, caller, event.id, "view_event"),
    can(db, caller, event.id, "manage_event"),
    can(db, caller, event.id, "manage_team"),
    can(db, caller, event.id, "check_in"),
  ]);
  return { event, role, staff: isStaff(caller), may: { view, manage, manageTeam, checkIn } };
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** The steps a chart's time axis may take, finest first; the first that fits MAX_STEPS is used. */
const STEP_SIZES_MS = [HOUR_MS, 6 * HOUR_MS, DAY_MS, 7 * DAY_MS, 30 * DAY_MS];
const MAX_STEPS = 48;

/** Tickets sold and people checked in so far, at one moment. */
export type ActivityPoint = { at: number; sold: number; checkedIn: number };

/**
 * The event's sales and check-ins over time, for the dashboard's chart: running totals at the end
 * of each step from the first sale (a zero point) to the last sale or check-in (the last point), counted in SQL by
 * step so a 100,000-ticket event reads a few dozen rows. Sold counts valid tickets (a cancelled
 * one gave its seat back); checked in counts everyone who came through the door, as eventCounts
 * in ./service.ts does. No sales yet: no points. The caller has passed the event's view check.
 */
export async function eventActivity(db: Db, eventId: string): Promise<{ stepMs: number; points: ActivityPoint[] }> {
  const validTicket = and(eq(attendees.eventId, eventId), eq(attendees.status, "valid"));
  const checkedIn = and(eq(attendees.eventId, eventId), isNotNull(attendees.checkedInAt));
  const [[sales], [checkIns]] = await Promise.all([
    db.select({ first: min(attendees.createdAt), last: max(attendees.createdAt) }).from(attendees).where(validTicket),
    db.select({ last: max(attendees.checkedInAt) }).from(attendees).where(checkedIn),
  ]);
  if (!sales?.first || !sales.last) return { stepMs: DAY_MS, points: [] };
  const lastCheckIn = checkIns?.last ?? 0;
  const start = sales.first;
  const end = Math.max(sales.last, lastCheckIn);
  const span = end - start;
  const stepMs = STEP_SIZES_MS.find((size) => span / size < MAX_STEPS) ?? Math.ceil(span / MAX_STEPS);
  const steps = Math.floor(span / stepMs) + 1;

  // The step each timestamp falls in, 0 for the first sale's, by integer division. The two numbers
  // are written into the SQL as integer literals (both are whole numbers computed above): bound as
  // parameters they arrive as REAL (on SQLite), and the division would keep its fraction.
  const integer = (n: number) => sql.raw(String(Math.trunc(n)));
  const perStep = async (at: SQLWrapper, where: SQL | undefined) => {
    const step = sql<number>`(${at} - ${integer(start)}) / ${integer(stepMs)}`.mapWith(Number);
    const counts = new Array<number>(steps).fill(0);
    for (const row of await db.select({ step, n: count() }).from(attendees).where(where).groupBy(step)) counts[row.step] = row.n;
    return counts;
  };
  const [soldPerStep, checkedInPerStep] = await Promise.all([perStep(attendees.createdAt, validTicket), perStep(attendees.checkedInAt, checkedIn)]);

  const points: ActivityPoint[] = [{ at: start, sold: 0, checkedIn: 0 }];
  for (let i = 0; i < steps; i++) {
    const previous = points[points.length - 1];
    // The last step ends at the last sale or check-in, not in the future.
    points.push({ at: Math.min(start + (i + 1) * stepMs, end), sold: previous.sold + soldPerStep[i], checkedIn: previous.checkedIn + checkedInPerStep[i] });
  }
  return { stepMs, points };
}

