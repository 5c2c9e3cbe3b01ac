import { and, eq, isNull } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as getAttendeeTicket } from "@/app/tickets/[orderIdentifier]/[attendeeIdentifier]/route";
import { openDb, transaction, type AppDb } from "@/db/client";
import { dialect } from "@/db/dialect";
import { forUpdate } from "@/db/locks";
import { attendees, sessions, users } from "@/db/schema";
import { checkCredentials, register } from "@/server/auth/accounts";
import { postRefresh, postToken } from "@/server/testing/auth-http";
import { makeEvent } from "@/server/testing/event-fixtures";
import { callerAs, freshDb, makeUser } from "@/server/testing/support";
import { mailsTo } from "@/server/testing/outbox";
import { trpcMutation } from "@/server/testing/attacks";

/**
 * Finding: account pre-hijacking. Whoever registered a ticket holder's address first, with their
 * own password, got the holder's ticket once the real owner clicked the confirmation link that
 * reached them: the account, the password and the attacker's sessions all survived the proof
 * (reproduced: the attacker's token downloaded the holder's PDF). Now proving a mailbox drops a
 * password set before it and signs out every other session, so the attacker is left with nothing.
 */

const ATTACKER_PASSWORD = "mallory-chose-this";
const unique = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.test`;

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

const cookieOf = (response: Response) => /admit\.session=([^;]+)/.exec(response.headers.getSetCookie().join("\n"))?.[1] ?? "";
const userByEmail = async (email: string) => (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]!;
const linkIn = async (email: string, subject: RegExp) => /\/link\?token=([\w-]+)/.exec((await mailsTo(email)).find((m) => subject.test(m.subject))?.text ?? "")?.[1] ?? "";

function ticketPdf(orderIdentifier: string, attendeeIdentifier: string, credentials: { cookie?: string; bearer?: string }) {
  const headers = new Headers({ accept: "application/json" });
  if (credentials.cookie) headers.set("cookie", `admit.session=${credentials.cookie}`);
  if (credentials.bearer) headers.set("authorization", `Bearer ${credentials.bearer}`);
  return getAttendeeTicket(new Request(`http://localhost/tickets/${orderIdentifier}/${attendeeIdentifier}`, { headers }), {
    params: Promise.resolve({ orderIdentifier, attendeeIdentifier }),
  });
}

/** The attacker registers the address first, keeps the browser session, and takes an API token. */
async function attackerRegisters(email: string) {
  const registration = await trpcMutation("auth.register", { name: "Mallory", email, password: ATTACKER_PASSWORD }, { ip: "203.0.113.66" });
  expect(registration.status).toBe(200);
  const issued = await postToken({ body: { email, password: ATTACKER_PASSWORD, scopes: ["tickets:read", "orders:read"] }, ip: "203.0.113.66" });
  expect(issued.status).toBe(200);
  const tokens = (await issued.json()) as { token: string; refreshToken: string };
  return { cookie: cookieOf(registration), bearer: tokens.token, refreshToken: tokens.refreshToken };
}

/** A buyer orders a ticket for the holder's address; the holder is mailed their ticket link. */
async function buyerOrdersFor(holderEmail: string) {
  const owner = await makeUser(db);
  const buyer = await makeUser(db);
  const event = await makeEvent(db, owner, { published: true });
  const ticketTypeId = event.ticketTypes[0].id;
  const { id } = await (await callerAs(db, buyer)).orders.place({
    eventId: event.id,
    items: [{ ticketTypeId, quantity: 2 }],
    attendees: [
      { ticketTypeId, name: "Bea Buyer", email: buyer.email },
      { ticketTypeId, name: "Hal Holder", email: holderEmail },
    ],
  });
  const [holderRow] = await db.select().from(attendees).where(eq(attendees.emailNormalized, holderEmail)).limit(1);
  return { orderId: id, attendeeId: holderRow.id };
}

async function expectAttackerGetsNothing(attacker: Awaited<ReturnType<typeof attackerRegisters>>, email: string, ticket: { orderId: string; attendeeId: string }) {
  expect((await ticketPdf(ticket.orderId, ticket.attendeeId, { bearer: attacker.bearer })).status).toBe(401);
  expect((await ticketPdf(ticket.orderId, ticket.attendeeId, { cookie: attacker.cookie })).status).toBe(401);
  expect((await postRefresh({ body: { refreshToken: attacker.refreshToken } })).status).toBe(401);
  expect((await checkCredentials(db, email, ATTACKER_PASSWORD, "203.0.113.66")).ok).toBe(false);
  expect((await postToken({ body: { email, password: ATTACKER_PASSWORD }, ip: "203.0.113.66" })).status).toBe(401);
}

describe("Finding: pre-hijacking a ticket holder's account", () => {
  it.each([
    ["the confirmation link the attacker's registration sent them", /confirm/i],
    ["the ticket link from the order mail", /your ticket/i],
  ])("the holder proves the mailbox with %s: the attacker's token, session and password get nothing", async (_, subject) => {
    const holderEmail = unique("holder");
    const attacker = await attackerRegisters(holderEmail);
    const ticket = await buyerOrdersFor(holderEmail);

    // While the address is unproven, it holds no tickets.
    expect((await ticketPdf(ticket.orderId, ticket.attendeeId, { bearer: attacker.bearer })).status).toBe(403);
    expect((await ticketPdf(ticket.orderId, ticket.attendeeId, { cookie: attacker.cookie })).status).toBe(403);

    // The real owner follows the link that reached their inbox, in their own browser.
    const followed = await trpcMutation("auth.followLink", { token: (await linkIn(holderEmail, subject)) }, { ip: "198.51.100.7" });
    expect(followed.status).toBe(200);
    const holderCookie = cookieOf(followed);

    await expectAttackerGetsNothing(attacker, holderEmail, ticket);
    const own = await ticketPdf(ticket.orderId, ticket.attendeeId, { cookie: holderCookie });
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("application/pdf");
    // The account is the holder's now: proven, with no password until they set one.
    expect(await userByEmail(holderEmail)).toMatchObject({ passwordHash: null, emailVerifiedAt: expect.any(Number) });
  });

  it("an attacker squatting a guest buyer's address never sees the guest's order", async () => {
    const guestEmail = unique("guest");
    const attacker = await attackerRegisters(guestEmail);
    const owner = await makeUser(db);
    const event = await makeEvent(db, owner, { published: true });
    const ticketTypeId = event.ticketTypes[0].id;
    const { id } = await (await callerAs(db, null)).orders.place({
      eventId: event.id,
      items: [{ ticketTypeId, quantity: 1 }],
      attendees: [{ ticketTypeId, name: "Gus Guest", email: guestEmail }],
      buyer: { name: "Gus Guest", email: guestEmail },
    });
    const [{ id: attendeeId }] = await db.select().from(attendees).where(eq(attendees.orderId, id)).limit(1);
    // The order went to the address's (the attacker's, unproven) account, but the account can't open it.
    expect((await ticketPdf(id, attendeeId, { bearer: attacker.bearer })).status).toBe(403);
    const squatter = await userByEmail(guestEmail);
    expect(await (await callerAs(db, squatter)).orders.mine()).toEqual([]);

    const followed = await trpcMutation("auth.followLink", { token: (await linkIn(guestEmail, /your ticket/i)) }, { ip: "198.51.100.8" });
    expect(followed.status).toBe(200);
    await expectAttackerGetsNothing(attacker, guestEmail, { orderId: id, attendeeId });
    expect((await ticketPdf(id, attendeeId, { cookie: cookieOf(followed) })).status).toBe(200);
  });

  it("registering over a pending registration signs its sessions out and hides what it bought", async () => {
    const email = unique("pending");
    const first = await trpcMutation("auth.register", { name: "Pat Pending", email, password: "pats-own-password" }, { ip: "198.51.100.9" });
    const owner = await makeUser(db);
    const event = await makeEvent(db, owner, { published: true });
    const ticketTypeId = event.ticketTypes[0].id;
    const pat = await userByEmail(email);
    const { id: orderId } = await (await callerAs(db, pat)).orders.place({ eventId: event.id, items: [{ ticketTypeId, quantity: 1 }], attendees: [{ ticketTypeId, name: "Pat's friend", email: unique("friend") }] });
    const [{ id: attendeeId }] = await db.select().from(attendees).where(eq(attendees.orderId, orderId)).limit(1);

    const attacker = await attackerRegisters(email);
    // Pat's browser is signed out; the attacker's new claim sees none of Pat's orders.
    expect((await trpcMutation("devices.revokeOthers", {}, { cookie: cookieOf(first) })).status).toBe(401);
    const claimed = await userByEmail(email);
    expect(claimed.id).toBe(pat.id);
    expect(await (await callerAs(db, claimed)).orders.mine()).toEqual([]);
    // Pat proves the mailbox and sees the order again; the attacker is out.
    const followed = await trpcMutation("auth.followLink", { token: (await linkIn(email, /confirm/i)) }, { ip: "198.51.100.9" });
    expect(followed.status).toBe(200);
    expect(await (await callerAs(db, await userByEmail(email))).orders.mine()).toHaveLength(1);
    await expectAttackerGetsNothing(attacker, email, { orderId, attendeeId });
  });
});

/**
 * PostgreSQL only: on SQLite every transaction holds the database's single write lock from its
 * start, so a registration can't interleave with anything. On PostgreSQL (READ COMMITTED) a
 * registration that read "unproven" before the owner's proof committed would go on to give the
 * proven account the attacker's password, unless it locks the account row before deciding.
 */
describe.skipIf(dialect !== "postgres")("Finding: a registration racing the owner's proof of the mailbox", () => {
  it("waits for the proof, then finds the account taken: no password set, no session", { timeout: 60_000 }, async () => {
    const email = unique("racing");
    const pending = (await trpcMutation("auth.register", { name: "Pat Pending", email, password: "pats-own-password" }, { ip: "198.51.100.10" })).status;
    expect(pending).toBe(200);
    const account = await userByEmail(email);
    const owner = openDb(db.$admit.location);
    try {
      let registration: Promise<unknown> | undefined;
      let settled = false;
      // The owner's proof (what following their link does to the account), held open until the
      // attacker's registration is waiting on it.
      await transaction(owner, async (tx) => {
        await forUpdate(tx.select({ id: users.id }).from(users).where(eq(users.id, account.id)));
        registration = register(db, { name: "Mallory", email, password: ATTACKER_PASSWORD }, { device: "mallory", ip: "203.0.113.67", currentSessionId: null });
        registration.then(() => (settled = true), () => (settled = true));
        while (!settled && !(await waitingOnALock())) await new Promise((resolve) => setTimeout(resolve, 10));
        await tx.update(users).set({ emailVerifiedAt: Date.now(), passwordHash: null }).where(eq(users.id, account.id));
      });
      // Answered like any registration, but it signed nobody in: the account was taken.
      expect(await registration).toEqual({ email });
    } finally {
      await owner.$admit.close();
    }
    expect(await userByEmail(email)).toMatchObject({ name: "Pat Pending", passwordHash: null, emailVerifiedAt: expect.any(Number) });
    expect((await checkCredentials(db, email, ATTACKER_PASSWORD, "203.0.113.67")).ok).toBe(false);
    const live = await db.select().from(sessions).where(and(eq(sessions.userId, account.id), isNull(sessions.revokedAt), eq(sessions.device, "mallory")));
    expect(live).toEqual([]);
  });
});

/** Whether a connection to the test database is waiting for a row lock. */
async function waitingOnALock(): Promise<boolean> {
  const { rows } = await db.$admit.pool!.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return rows[0].n > 0;
}
