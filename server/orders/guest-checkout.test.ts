import { count, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { orders, users } from "@/db/schema";
import { trpcMutation, expectRetryAfter } from "@/server/testing/attacks";
import { followEmailLink } from "@/server/auth/email-links";
import { authenticateCookie } from "@/server/auth/caller";
import { makeEvent } from "@/server/testing/event-fixtures";
import { GUEST_ORDER_LIMITS, RESEND_LIMITS } from "@/server/rate-limit";
import { callerAs, freshDb, makeUser, trpcError } from "@/server/testing/support";
import { mailsTo } from "@/server/testing/outbox";
import { createCaller } from "@/server/router";
import { createInnerContext } from "@/server/trpc";

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

const unique = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.test`;
const tokenIn = (text: string) => /\/link\?token=([\w-]+)/.exec(text)?.[1] ?? "";
const browser = { device: "vitest", ip: "192.0.2.80", currentSessionId: null };

async function publishedEvent(overrides: Record<string, unknown> = {}) {
  const event = await makeEvent(db, await makeUser(db), { published: true, ...overrides });
  return { id: event.id, ticketTypeId: event.ticketTypes[0].id };
}

function guestOrder(event: { id: string; ticketTypeId: string }, guestEmail: string, holders: string[] = []) {
  const people = [guestEmail, ...holders];
  return {
    eventId: event.id,
    items: [{ ticketTypeId: event.ticketTypeId, quantity: people.length }],
    attendees: people.map((email, i) => ({ ticketTypeId: event.ticketTypeId, name: `Person ${i + 1}`, email })),
    buyer: { name: "Gwen Guest", email: guestEmail.toUpperCase() },
  };
}

describe("guest checkout", () => {
  it("places the order for a passwordless account of the address, and the buyer's link opens it", async () => {
    const event = await publishedEvent();
    const guest = unique("guest");
    const placed = await (await callerAs(db, null)).orders.place(guestOrder(event, guest));
    expect(placed.emailedTo).toBe(guest);
    const account = (await db.select().from(users).where(eq(users.email, guest)).limit(1))[0]!;
    expect(account).toMatchObject({ name: "Gwen Guest", passwordHash: null, emailVerifiedAt: null });
    expect((await db.select().from(orders).where(eq(orders.id, placed.id)).limit(1))[0]).toMatchObject({ buyerId: account.id, buyerName: "Gwen Guest", buyerMustProveEmail: true });

    const mail = (await mailsTo(guest)).at(-1)!;
    expect(mail.subject).toMatch(/your ticket/i);
    const followed = await followEmailLink(db, tokenIn(mail.text), browser);
    if (!followed.ok) throw new Error(followed.reason);
    expect(followed.link.returnTo).toMatch(new RegExp(`^/orders/${placed.id}\\?ticket=[\\w-]+&download=1$`));
    const ctx = createInnerContext({ db, auth: await authenticateCookie(db, followed.sessionSecret) });
    expect(await createCaller(ctx).orders.get({ orderIdentifier: placed.id })).toMatchObject({ access: "buyer", order: { id: placed.id } });
  });

  it("orders only on published events: a draft is not found to a guest, and nothing is placed", async () => {
    const draft = await publishedEvent({ published: false });
    const error = await trpcError((await callerAs(db, null)).orders.place(guestOrder(draft, unique("draft"))));
    expect(error.code).toBe("NOT_FOUND");
    expect((await db.select({ n: count() }).from(orders).limit(1))[0]!.n).toBe(0);
  });

  it("a signed-in buyer buys as their account, whatever guest details come along", async () => {
    const event = await publishedEvent();
    const buyer = await makeUser(db);
    const placed = await (await callerAs(db, buyer)).orders.place(guestOrder(event, unique("ignored")));
    expect(placed.emailedTo).toBeNull();
    expect((await db.select().from(orders).where(eq(orders.id, placed.id)).limit(1))[0]).toMatchObject({ buyerId: buyer.id, buyerEmail: buyer.email, buyerMustProveEmail: false });
  });

  it(`is limited to ${GUEST_ORDER_LIMITS.perAddress} guest orders an hour per address, then 429 with nothing placed`, async () => {
    const event = await publishedEvent();
    const ip = "203.0.113.40";
    for (let i = 0; i < GUEST_ORDER_LIMITS.perAddress; i++) {
      expect((await trpcMutation("orders.place", guestOrder(event, unique(`g${i}`)), { ip })).status).toBe(200);
    }
    const refused = await trpcMutation("orders.place", guestOrder(event, unique("one-more")), { ip });
    expectRetryAfter(refused, 3600);
    expect((await db.select({ n: count() }).from(orders).limit(1))[0]!.n).toBe(GUEST_ORDER_LIMITS.perAddress);
    // Another address still buys.
    expect((await trpcMutation("orders.place", guestOrder(event, unique("elsewhere")), { ip: "203.0.113.41" })).status).toBe(200);
  });

  it("a burst of parallel guest orders from one address places no more than the limit", async () => {
    const event = await publishedEvent();
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => trpcMutation("orders.place", guestOrder(event, unique(`b${i}`)), { ip: "203.0.113.42" })));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(GUEST_ORDER_LIMITS.perAddress);
    expect((await db.select({ n: count() }).from(orders).limit(1))[0]!.n).toBe(GUEST_ORDER_LIMITS.perAddress);
  });
});

describe("resending a ticket's email", () => {
  it(`the buyer resends a holder's, the holder their own: ${RESEND_LIMITS.perRecipient} an hour per recipient, then 429`, async () => {
    const event = await publishedEvent();
    const buyer = await makeUser(db);
    const holder = await makeUser(db);
    const { id } = await (await callerAs(db, buyer)).orders.place({
      eventId: event.id,
      items: [{ ticketTypeId: event.ticketTypeId, quantity: 2 }],
      attendees: [
        { ticketTypeId: event.ticketTypeId, name: "Bea", email: buyer.email },
        { ticketTypeId: event.ticketTypeId, name: "Hal", email: holder.email },
      ],
    });
    const view = await (await callerAs(db, buyer)).orders.get({ orderIdentifier: id });
    const [buyerTicket, holderTicket] = view.attendees.map((a) => a.id);
    expect((await mailsTo(holder.email))).toHaveLength(1);

    expect(await (await callerAs(db, buyer)).orders.resendTicketEmail({ orderIdentifier: id, attendeeIdentifier: holderTicket })).toEqual({ sentTo: holder.email });
    expect(await (await callerAs(db, holder)).orders.resendTicketEmail({ orderIdentifier: id, attendeeIdentifier: holderTicket })).toEqual({ sentTo: holder.email });
    const resent = (await mailsTo(holder.email));
    expect(resent).toHaveLength(3);
    // Each resent mail has a fresh link of its own, to the holder's ticket.
    expect(new Set(resent.map((m) => tokenIn(m.text))).size).toBe(3);

    // A holder can't send the buyer's ticket.
    expect((await trpcError((await callerAs(db, holder)).orders.resendTicketEmail({ orderIdentifier: id, attendeeIdentifier: buyerTicket }))).code).toBe("FORBIDDEN");

    await (await callerAs(db, buyer)).orders.resendTicketEmail({ orderIdentifier: id, attendeeIdentifier: holderTicket });
    const limited = await trpcError((await callerAs(db, buyer)).orders.resendTicketEmail({ orderIdentifier: id, attendeeIdentifier: holderTicket }));
    expect(limited.code).toBe("TOO_MANY_REQUESTS");
    expect((await mailsTo(holder.email))).toHaveLength(1 + RESEND_LIMITS.perRecipient);
  });
});
