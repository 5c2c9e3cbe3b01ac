import { count, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { events, orders, users, type User } from "@/db/schema";
import { checkCredentials } from "@/server/auth/accounts";
import { createBrowserSession } from "@/server/auth/sessions";
import { eventInput, makeEvent } from "@/server/testing/event-fixtures";
import { callerAs, freshDb, makeUser, trpcError } from "@/server/testing/support";
import { mailsTo, outboxMailsTo } from "@/server/testing/outbox";
import { expectRetryAfter, trpcMutation } from "@/server/testing/attacks";

/**
 * Finding: abuse of mail. Anyone could make the app send mail for them: create and publish events
 * from an unproven address, register or ask for verification links without limit (mail bombing a
 * stranger's inbox), place orders that mail up to 20 addresses each, and learn from a 409 on
 * registration which addresses have accounts.
 */

const HOUR_SECONDS = 60 * 60;
const unique = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.test`;

let db: AppDb;
beforeEach(async () => {
  db = (await freshDb());
});

const register = (email: string, ip: string, password = "a-long-enough-password") => trpcMutation("auth.register", { name: "Reg Istrant", email, password }, { ip });

describe("Finding: abuse of mail", () => {
  describe("events need a proven email", () => {
    it("an unverified account can't create an event (403, saying why); a verified one can", async () => {
      const unverified = await makeUser(db, { verified: false });
      const error = await trpcError((await callerAs(db, unverified)).events.create(eventInput()));
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toMatch(/confirm your email/i);
      expect((await db.select({ n: count() }).from(events).limit(1))[0]!.n).toBe(0);

      // Through the HTTP endpoint too.
      const cookie = (await createBrowserSession(db, unverified.id, { device: "x", ip: "192.0.2.1" })).secret;
      const response = await trpcMutation("events.create", eventInput(), { cookie });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/confirm your email/i);

      const verified = await makeUser(db);
      await expect((await callerAs(db, verified)).events.create(eventInput())).resolves.toMatchObject({ id: expect.any(String) });
    });

    it("an owner whose email is unproven can't publish, but may still unpublish", async () => {
      const owner = await makeUser(db);
      const event = (await makeEvent(db, owner, { published: false }));
      await db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, owner.id));

      const error = await trpcError((await callerAs(db, owner)).events.setPublished({ eventId: event.id, published: true }));
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toMatch(/confirm your email/i);
      expect((await db.select().from(events).where(eq(events.id, event.id)).limit(1))[0]!.published).toBe(false);

      await db.update(events).set({ published: true }).where(eq(events.id, event.id));
      await expect((await callerAs(db, owner)).events.setPublished({ eventId: event.id, published: false })).resolves.toMatchObject({ published: false });
    });
  });

  describe("registration doesn't tell who has an account", () => {
    it("registering an existing address answers exactly like a new one; the owner is told by mail and nothing changes", async () => {
      const email = unique("taken");
      const first = await register(email, "192.0.2.10");
      expect(first.status).toBe(200);
      const firstBody = await first.text();
      const [owner] = await db.select().from(users).where(eq(users.email, email)).limit(1);
      // The owner confirms the address from the browser that registered (so the password stays):
      // from now on the account is proven, and a registration can't replace it.
      const cookie = /admit\.session=([^;]+)/.exec(first.headers.getSetCookie().join("\n"))![1];
      const token = /\/link\?token=([\w-]+)/.exec((await mailsTo(email))[0].text)![1];
      expect((await trpcMutation("auth.followLink", { token }, { cookie, ip: "192.0.2.10" })).status).toBe(200);

      const second = await register(email.toUpperCase(), "192.0.2.11", "the-attackers-password");
      expect(second.status).toBe(200);
      // Same body (the address as typed is normalized, so both name the same one).
      expect(await second.text()).toBe(firstBody);
      expect(firstBody).not.toContain(owner.id);

      // No second account, and the attacker's password opens nothing.
      expect((await db.select({ n: count() }).from(users).where(eq(users.email, email)).limit(1))[0]!.n).toBe(1);
      expect((await checkCredentials(db, email, "the-attackers-password", "192.0.2.12")).ok).toBe(false);
      expect((await checkCredentials(db, email, "a-long-enough-password", "192.0.2.12")).ok).toBe(true);

      // The owner learns about it by mail, not the person registering.
      const mails = await mailsTo(email);
      expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/confirm/i), expect.stringMatching(/already have an account/i)]);
      expect(mails[1].text).toContain("/signin");
      expect(mails[1].text).not.toMatch(/token=/);
    });
  });

  describe("mail is rate limited per account and per address", () => {
    it("registration mails to one address: 5 an hour, then 429 with Retry-After, whoever asks and from wherever", async () => {
      const victim = unique("victim");
      for (let i = 0; i < 5; i++) expect((await register(victim, `198.51.100.${i + 1}`)).status, `registration ${i + 1}`).toBe(200);
      const refused = await register(victim, "198.51.100.99");
      expectRetryAfter(refused, HOUR_SECONDS);
      expect(((await refused.json()) as { error: { data: { code: string } } }).error.data.code).toBe("TOO_MANY_REQUESTS");
      expect(await mailsTo(victim)).toHaveLength(5);
    });

    it("a burst of 20 simultaneous registrations of one address sends at most 5 mails", async () => {
      const victim = unique("burst");
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => register(victim, `198.51.100.${i + 1}`)));
      expect(responses.filter((r) => r.status === 200)).toHaveLength(5);
      expect(responses.filter((r) => r.status === 429)).toHaveLength(15);
      expect(await mailsTo(victim)).toHaveLength(5);
      expect((await db.select({ n: count() }).from(users).where(eq(users.email, victim)))[0].n).toBe(1);
    });

    it("one address registering many accounts: 50 an hour, then 429, even all at once", async () => {
      const ip = "203.0.113.99";
      const emails = Array.from({ length: 55 }, (_, i) => unique(`spam${i}`));
      const responses = await Promise.all(emails.map((email) => register(email, ip)));
      expect(responses.filter((r) => r.status === 200)).toHaveLength(50);
      for (const refused of responses.filter((r) => r.status !== 200)) expectRetryAfter(refused, HOUR_SECONDS);
      await mailsTo(emails[0]);
      expect(emails.filter((email) => outboxMailsTo(email).length > 0)).toHaveLength(50);
      // Another address is not affected.
      expect((await register(unique("elsewhere"), "203.0.113.100")).status).toBe(200);
    });

    it("verification resends count against the same per-account limit", async () => {
      const unverified = await makeUser(db, { verified: false });
      const cookie = (await createBrowserSession(db, unverified.id, { device: "x", ip: "192.0.2.30" })).secret;
      for (let i = 0; i < 5; i++) expect((await trpcMutation("auth.resendVerification", {}, { cookie, ip: `192.0.2.${30 + i}` })).status).toBe(200);
      expectRetryAfter(await trpcMutation("auth.resendVerification", {}, { cookie, ip: "192.0.2.99" }), HOUR_SECONDS);
      expect(await mailsTo(unverified.email)).toHaveLength(5);
    });

    describe("order mails", () => {
      let owner: User;
      let ticketTypeId: string;
      let eventId: string;
      beforeEach(async () => {
        owner = await makeUser(db);
        const event = (await makeEvent(db, owner, { ticketTypes: [{ name: "General", priceCents: 0, quantity: 1000 }] }));
        eventId = event.id;
        ticketTypeId = event.ticketTypes[0].id;
      });
      /** An order of 20 tickets for 20 other people: 21 mails. */
      const bigOrder = () => ({
        eventId,
        items: [{ ticketTypeId, quantity: 20 }],
        attendees: Array.from({ length: 20 }, (_, i) => ({ ticketTypeId, name: `Guest ${i}`, email: unique(`guest${i}`) })),
      });
      const placeAs = async (user: User, ip: string) => trpcMutation("orders.place", bigOrder(), { cookie: (await createBrowserSession(db, user.id, { device: "x", ip })).secret, ip });

      it("per buyer account: 60 mails an hour; the order that would exceed it is 429 and not placed", async () => {
        const buyer = await makeUser(db);
        expect((await placeAs(buyer, "192.0.2.40")).status).toBe(200);
        expect((await placeAs(buyer, "192.0.2.41")).status).toBe(200);
        // 42 mails sent; this one would make 63.
        expectRetryAfter(await placeAs(buyer, "192.0.2.42"), HOUR_SECONDS);
        expect((await db.select({ n: count() }).from(orders).limit(1))[0]!.n).toBe(2);
      });

      it("per address: 200 mails an hour across buyers", async () => {
        const ip = "192.0.2.50";
        const buyers = await Promise.all(Array.from({ length: 10 }, () => makeUser(db)));
        const statuses = [];
        for (const buyer of buyers) statuses.push((await placeAs(buyer, ip)).status);
        // 9 orders are 189 mails; the 10th would make 210.
        expect(statuses).toEqual([...Array(9).fill(200), 429]);
        expect((await placeAs(buyers[9], "192.0.2.51")).status).toBe(200);
      });
    });
  });
});
