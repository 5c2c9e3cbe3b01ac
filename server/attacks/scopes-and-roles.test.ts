import { describe, expect, it } from "vitest";
import { and, eq, isNull } from "drizzle-orm";
import { GET as trpcGET, POST as trpcPOST } from "@/app/api/trpc/[trpc]/route";
import { attendees, eventMembers, orders, sessions, ticketDownloads } from "@/db/schema";
import type { Scope } from "@/server/auth/scopes";
import { createBrowserSession } from "@/server/auth/sessions";
import { buildWorld, type SignedInRole, type World } from "@/server/testing/world";

/**
 * Attacks found against the demo, replayed over tRPC's HTTP handler the way an API client sends
 * them (issue "Access hardening", findings 1 and 8). Each failed before scopes were enforced on
 * every procedure.
 */

type Answer = { status: number; body: { result?: { data: unknown }; error?: { message: string } } };

async function callWithToken(world: World, role: SignedInRole, scopes: Scope[], path: string, input: unknown, type: "query" | "mutation"): Promise<Answer> {
  const token = await world.bearerFor(role, scopes);
  const headers = new Headers({ authorization: `Bearer ${token}`, host: "localhost" });
  let response: Response;
  if (type === "query") {
    const url = `http://localhost/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input ?? {}))}`;
    response = await trpcGET(new Request(url, { headers }));
  } else {
    headers.set("content-type", "application/json");
    response = await trpcPOST(new Request(`http://localhost/api/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input ?? {}) }));
  }
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

describe("finding 1: scopes are enforced on every tRPC procedure", () => {
  it("a door scanner's checkin:write token can't read the roster, cancel, regenerate or sign the organizer out elsewhere", async () => {
    const world = await buildWorld();
    const scanner: Scope[] = ["checkin:write"];
    const other = await createBrowserSession(world.db, world.users.organizer.id, { device: "organizer laptop", ip: "10.0.0.1" });
    const eventId = world.event.id;

    expect((await callWithToken(world, "organizer", scanner, "attendees.list", { eventId }, "query")).status).toBe(403);
    expect((await callWithToken(world, "organizer", scanner, "attendees.orders", { eventId }, "query")).status).toBe(403);
    expect((await callWithToken(world, "organizer", scanner, "attendees.cancel", { eventId, attendeeId: world.order.holderAttendeeId }, "mutation")).status).toBe(403);
    expect((await callWithToken(world, "organizer", scanner, "attendees.regenerateSecret", { eventId, attendeeId: world.order.holderAttendeeId }, "mutation")).status).toBe(403);
    expect((await callWithToken(world, "organizer", scanner, "devices.revokeOthers", {}, "mutation")).status).toBe(403);

    const holder = (await world.db.select().from(attendees).where(eq(attendees.id, world.order.holderAttendeeId)).limit(1))[0]!;
    expect(holder).toMatchObject({ status: "valid", checkinSecret: world.order.holderSecret });
    const live = (await world.db.select().from(sessions).where(and(eq(sessions.id, other.session.id), isNull(sessions.revokedAt))).limit(1))[0];
    expect(live).toBeDefined();
    // What the scanner is for still works.
    const scan = await callWithToken(world, "organizer", scanner, "checkin.scan", { eventId, secret: world.order.holderSecret }, "mutation");
    expect(scan.status).toBe(200);
  });

  it("a default tickets:read orders:read token can't mark orders paid or add owners to the team", async () => {
    const world = await buildWorld();
    const defaults: Scope[] = ["tickets:read", "orders:read"];
    const paid = await callWithToken(world, "owner", defaults, "attendees.markPaid", { eventId: world.event.id, orderId: world.order.id, paid: true }, "mutation");
    expect(paid.status).toBe(403);
    const added = await callWithToken(world, "owner", defaults, "team.add", { eventId: world.event.id, email: world.users.user.email, role: "owner" }, "mutation");
    expect(added.status).toBe(403);
    expect((await world.db.select().from(orders).where(eq(orders.id, world.order.id)).limit(1))[0]!.paid).toBe(false);
    expect(await world.db.select().from(eventMembers).where(eq(eventMembers.userId, world.users.user.id))).toEqual([]);
  });

  it("a staff member's tickets:read token can't open the admin console or revoke sessions", async () => {
    const world = await buildWorld();
    const victim = await createBrowserSession(world.db, world.users.user.id, { device: "victim", ip: "10.0.0.2" });
    expect((await callWithToken(world, "staff", ["tickets:read"], "admin.users", {}, "query")).status).toBe(403);
    expect((await callWithToken(world, "staff", ["tickets:read"], "admin.revokeSession", { sessionId: victim.session.id }, "mutation")).status).toBe(403);
    expect((await world.db.select().from(sessions).where(eq(sessions.id, victim.session.id)).limit(1))[0]!.revokedAt).toBeNull();
  });
});

describe("finding 8: roles", () => {
  it("staff can revoke a user's or staff member's session, but not an admin's; an admin can", async () => {
    const world = await buildWorld();
    const staff = (await world.cookieFor("staff")).caller;
    const admin = (await world.cookieFor("admin")).caller;
    const { createCaller } = await import("@/server/router");
    const { createInnerContext } = await import("@/server/trpc");
    const as = (caller: typeof staff) => createCaller(createInnerContext({ db: world.db, auth: { kind: "caller", caller } }));

    const adminSession = await createBrowserSession(world.db, world.users.admin.id, { device: "admin laptop", ip: "10.0.0.3" });
    await expect(as(staff).admin.revokeSession({ sessionId: adminSession.session.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await world.db.select().from(sessions).where(eq(sessions.id, adminSession.session.id)).limit(1))[0]!.revokedAt).toBeNull();

    const userSession = await createBrowserSession(world.db, world.users.user.id, { device: "user phone", ip: "10.0.0.4" });
    await expect(as(staff).admin.revokeSession({ sessionId: userSession.session.id })).resolves.toEqual({ revoked: true });
    await expect(as(admin).admin.revokeSession({ sessionId: adminSession.session.id })).resolves.toEqual({ revoked: true });
  });

  it("event A's check-in screen, shown event B's ticket, says 'not for this event' without naming B", async () => {
    const world = await buildWorld();
    const foreign = (await world.db.select().from(attendees).where(eq(attendees.id, world.otherEvent.attendeeId)).limit(1))[0]!;
    const answer = await callWithToken(world, "registrar", ["checkin:write"], "checkin.scan", { eventId: world.event.id, secret: foreign.checkinSecret }, "mutation");
    expect(answer.status).toBe(200);
    expect(answer.body.result?.data).toEqual({ status: "wrong_event" });
    expect(JSON.stringify(answer.body)).not.toContain("Other Fest");
    expect(JSON.stringify(answer.body)).not.toContain(world.otherEvent.id);
  });

  it("the event's audit log shows buyers' and holders' IP addresses to staff only", async () => {
    const world = await buildWorld();
    await world.db
      .insert(ticketDownloads)
      .values({ orderId: world.order.id, eventId: world.event.id, userId: world.users.holder.id, sessionId: null, attendeeIds: [world.order.holderAttendeeId], accessAs: "holder", ip: "203.0.113.7", at: Date.now() });
    const forOrganizer = await callWithToken(world, "organizer", ["events:manage"], "attendees.auditLog", { eventId: world.event.id }, "query");
    expect(forOrganizer.status).toBe(200);
    expect(JSON.stringify(forOrganizer.body)).not.toContain("203.0.113.7");
    const { createCaller } = await import("@/server/router");
    const { createInnerContext } = await import("@/server/trpc");
    const staffLog = await createCaller(createInnerContext({ db: world.db, auth: { kind: "caller", caller: (await world.cookieFor("staff")).caller } })).attendees.auditLog({ eventId: world.event.id });
    expect(JSON.stringify(staffLog)).toContain("203.0.113.7");
  });
});
