import { and, count, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { auditLog, eventMembers, teamInvitations, users } from "@/db/schema";
import { followEmailLink, inspectEmailLink, issueEmailLink, type FollowOutcome } from "@/server/auth/email-links";
import { fieldsOf } from "@/server/errors";
import { makeEvent } from "@/server/testing/event-fixtures";
import { createCaller } from "@/server/router";
import { anonymousContext, callerAs, freshDb, makeUser, trpcError } from "@/server/testing/support";
import { randomId } from "@/server/ids";
import { mailsTo } from "@/server/testing/outbox";
import { race } from "@/server/testing/race";
import { acceptInvitation, INVITATION_LIFETIME_MS } from "./invitations";

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

const unique = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.test`;
const tokenIn = (text: string) => /\/link\?token=([\w-]+)/.exec(text)?.[1] ?? "";
const browser = { device: "vitest", ip: "192.0.2.100", currentSessionId: null };

async function ownedEvent() {
  const owner = await makeUser(db, { name: "Olga Owner" });
  const event = await makeEvent(db, owner, { name: "Team Conf" });
  return { owner, event, asOwner: await callerAs(db, owner) };
}

const roleOf = async (eventId: string, email: string) =>
  (
    await db
      .select({ role: eventMembers.role })
      .from(eventMembers)
      .innerJoin(users, eq(users.id, eventMembers.userId))
      .where(and(eq(eventMembers.eventId, eventId), eq(users.email, email)))
      .limit(1)
  )[0]?.role;
const userByEmail = async (email: string) => (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];

describe("team invitations", () => {
  it("answer the same for an address with an account and one without; each joins by following its link", async () => {
    const { event, asOwner } = await ownedEvent();
    const known = await makeUser(db, { name: "Kim Known" });
    const stranger = unique("newcomer");
    const answers = [
      await asOwner.team.add({ eventId: event.id, email: known.email, role: "organizer" }),
      await asOwner.team.add({ eventId: event.id, email: stranger, role: "organizer" }),
    ];
    // Both say who was invited, as what, until when: nothing about whether an account exists.
    expect(answers).toEqual([
      { email: known.email, role: "organizer", expiresAt: expect.any(Number) },
      { email: stranger, role: "organizer", expiresAt: expect.any(Number) },
    ]);
    // Nobody is on the team until they accept.
    expect(await roleOf(event.id, known.email)).toBeUndefined();
    expect((await asOwner.team.invitations({ eventId: event.id })).map((i) => [i.email, i.role, i.expired])).toEqual([
      [known.email, "organizer", false],
      [stranger, "organizer", false],
    ]);

    const mail = (await mailsTo(stranger)).at(-1)!;
    expect(mail.subject).toBe("You're invited to help run Team Conf");
    const followed = await followEmailLink(db, tokenIn(mail.text), browser, Date.now(), acceptInvitation);
    expect(followed).toMatchObject({ ok: true, link: { returnTo: "/dashboard" } });
    // A passwordless account for the newcomer, on the team with the invited role.
    expect(await userByEmail(stranger)).toMatchObject({ passwordHash: null });
    expect(await roleOf(event.id, stranger)).toBe("organizer");
    expect((await asOwner.team.invitations({ eventId: event.id })).map((i) => i.email)).toEqual([known.email]);

    await followEmailLink(db, tokenIn((await mailsTo(known.email)).at(-1)!.text), browser, Date.now(), acceptInvitation);
    expect(await roleOf(event.id, known.email)).toBe("organizer");
  });

  it("to someone already on the team are a 409 naming the email, and mail nothing", async () => {
    const { owner, event, asOwner } = await ownedEvent();
    const error = await trpcError(asOwner.team.add({ eventId: event.id, email: owner.email, role: "registrar" }));
    expect(error.code).toBe("CONFLICT");
    expect(fieldsOf(error)?.email).toMatch(/already on the team as owner/);
    expect((await mailsTo(owner.email))).toHaveLength(0);
  });

  it("withdrawn, the link joins nothing and signs nobody in; it says why", async () => {
    const { event, asOwner } = await ownedEvent();
    const invitee = unique("withdrawn");
    await asOwner.team.add({ eventId: event.id, email: invitee, role: "registrar" });
    const [invitation] = await asOwner.team.invitations({ eventId: event.id });
    expect(await asOwner.team.revokeInvitation({ eventId: event.id, invitationId: invitation.id })).toEqual({ withdrawn: true });
    expect(await asOwner.team.invitations({ eventId: event.id })).toEqual([]);

    const token = tokenIn((await mailsTo(invitee)).at(-1)!.text);
    const error = await trpcError(createCaller(anonymousContext(db)).auth.followLink({ token }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(fieldsOf(error)?.token).toMatch(/withdrawn or has expired/);
    expect(await roleOf(event.id, invitee)).toBeUndefined();
    expect(await userByEmail(invitee)).toBeUndefined();
    expect((await inspectEmailLink(db, token)).state).toBe("valid");
  });

  it("expire after 7 days: listed as expired, the link refused; inviting again renews it", async () => {
    const { event, asOwner } = await ownedEvent();
    const invitee = unique("late");
    await asOwner.team.add({ eventId: event.id, email: invitee, role: "registrar" });
    const token = tokenIn((await mailsTo(invitee)).at(-1)!.text);
    const later = Date.now() + INVITATION_LIFETIME_MS + 1;
    expect(await followEmailLink(db, token, browser, later, acceptInvitation)).toEqual({ ok: false, reason: "expired" });
    expect(await roleOf(event.id, invitee)).toBeUndefined();

    await asOwner.team.add({ eventId: event.id, email: invitee, role: "organizer" });
    expect(await asOwner.team.invitations({ eventId: event.id })).toMatchObject([{ email: invitee, role: "organizer", expired: false }]);
    const renewed = tokenIn((await mailsTo(invitee)).at(-1)!.text);
    expect(await followEmailLink(db, renewed, browser, Date.now(), acceptInvitation)).toMatchObject({ ok: true });
    expect(await roleOf(event.id, invitee)).toBe("organizer");
  });

  it("another event's owner can't withdraw ours (404 within their own event)", async () => {
    const { event, asOwner } = await ownedEvent();
    await asOwner.team.add({ eventId: event.id, email: unique("ours"), role: "registrar" });
    const [invitation] = await asOwner.team.invitations({ eventId: event.id });
    const other = await ownedEvent();
    expect((await trpcError(other.asOwner.team.revokeInvitation({ eventId: other.event.id, invitationId: invitation.id }))).code).toBe("NOT_FOUND");
    expect(await asOwner.team.invitations({ eventId: event.id })).toHaveLength(1);
  });

  it("is accepted once when two of its links (it was sent again) are followed at the same moment", { timeout: 120_000 }, async () => {
    const { owner, event } = await ownedEvent();
    for (let round = 0; round < 4; round++) {
      // An address without an account, then one with (then nothing else makes the two wait for each other).
      const invitee = round % 2 === 0 ? unique("twice") : (await makeUser(db)).email;
      const invitationId = randomId();
      const now = Date.now();
      await db.insert(teamInvitations).values({ id: invitationId, eventId: event.id, email: invitee, role: "organizer", invitedBy: owner.id, createdAt: now, expiresAt: now + INVITATION_LIFETIME_MS });
      // Inviting again keeps the invitation's id and mails a new link; the first one still works.
      const tokens = [
        await issueEmailLink(db, { purpose: "invitation", email: invitee, returnTo: "/dashboard", invitationId }),
        await issueEmailLink(db, { purpose: "invitation", email: invitee, returnTo: "/dashboard", invitationId }),
      ];
      const results = await race<FollowOutcome>(2, db.$admit.location, "server/testing/follow-invitation.ts", "followLinkAcceptingInvitation", (contender) => [tokens[contender], browser]);
      const outcomes = results.map((r) => (r.ok ? (r.value.ok ? "joined" : r.value.reason) : r.code)).sort();
      // The second finds the invitation accepted: refused, and its whole follow undone.
      expect(outcomes).toEqual(["BAD_REQUEST", "joined"]);
      expect(await roleOf(event.id, invitee)).toBe("organizer");
      expect((await db.select({ n: count() }).from(users).where(eq(users.email, invitee)))[0].n).toBe(1);
      const accepted = await db.select().from(auditLog).where(and(eq(auditLog.eventId, event.id), eq(auditLog.action, "team_invitation_accepted")));
      expect(accepted.filter((row) => row.detail.email === invitee)).toHaveLength(1);
      expect((await Promise.all(tokens.map((token) => inspectEmailLink(db, token)))).map((link) => link.state).sort()).toEqual(["used", "valid"]);
    }
  });
});
