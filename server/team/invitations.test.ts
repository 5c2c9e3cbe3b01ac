import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { eventMembers, users } from "@/db/schema";
import { followEmailLink, inspectEmailLink } from "@/server/auth/email-links";
import { fieldsOf } from "@/server/errors";
import { makeEvent } from "@/server/events/test-fixtures";
import { createCaller } from "@/server/router";
import { anonymousContext, callerAs, freshDb, makeUser, trpcError } from "@/server/test-support";
import { mailsTo } from "@/server/testing/outbox";
import { acceptInvitation, INVITATION_LIFETIME_MS } from "./invitations";

let db: AppDb;
beforeEach(() => {
  db = freshDb();
});

const unique = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.test`;
const tokenIn = (text: string) => /\/link\?token=([\w-]+)/.exec(text)?.[1] ?? "";
const browser = { device: "vitest", ip: "192.0.2.100", currentSessionId: null };

async function ownedEvent() {
  const owner = await makeUser(db, { name: "Olga Owner" });
  const event = makeEvent(db, owner, { name: "Team Conf" });
  return { owner, event, asOwner: callerAs(db, owner) };
}

const roleOf = (eventId: string, email: string) =>
  db
    .select({ role: eventMembers.role })
    .from(eventMembers)
    .innerJoin(users, eq(users.id, eventMembers.userId))
    .where(and(eq(eventMembers.eventId, eventId), eq(users.email, email)))
    .get()?.role;

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
    expect(roleOf(event.id, known.email)).toBeUndefined();
    expect((await asOwner.team.invitations({ eventId: event.id })).map((i) => [i.email, i.role, i.expired])).toEqual([
      [known.email, "organizer", false],
      [stranger, "organizer", false],
    ]);

    const mail = (await mailsTo(stranger)).at(-1)!;
    expect(mail.subject).toBe("You're invited to help run Team Conf");
    const followed = followEmailLink(db, tokenIn(mail.text), browser, Date.now(), acceptInvitation);
    expect(followed).toMatchObject({ ok: true, link: { returnTo: "/dashboard" } });
    // A passwordless account for the newcomer, on the team with the invited role.
    expect(db.select().from(users).where(eq(users.email, stranger)).get()).toMatchObject({ passwordHash: null });
    expect(roleOf(event.id, stranger)).toBe("organizer");
    expect((await asOwner.team.invitations({ eventId: event.id })).map((i) => i.email)).toEqual([known.email]);

    followEmailLink(db, tokenIn((await mailsTo(known.email)).at(-1)!.text), browser, Date.now(), acceptInvitation);
    expect(roleOf(event.id, known.email)).toBe("organizer");
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
    expect(roleOf(event.id, invitee)).toBeUndefined();
    expect(db.select().from(users).where(eq(users.email, invitee)).get()).toBeUndefined();
    expect(inspectEmailLink(db, token).state).toBe("valid");
  });

  it("expire after 7 days: listed as expired, the link refused; inviting again renews it", async () => {
    const { event, asOwner } = await ownedEvent();
    const invitee = unique("late");
    await asOwner.team.add({ eventId: event.id, email: invitee, role: "registrar" });
    const token = tokenIn((await mailsTo(invitee)).at(-1)!.text);
    const later = Date.now() + INVITATION_LIFETIME_MS + 1;
    expect(followEmailLink(db, token, browser, later, acceptInvitation)).toEqual({ ok: false, reason: "expired" });
    expect(roleOf(event.id, invitee)).toBeUndefined();

    await asOwner.team.add({ eventId: event.id, email: invitee, role: "organizer" });
    expect(await asOwner.team.invitations({ eventId: event.id })).toMatchObject([{ email: invitee, role: "organizer", expired: false }]);
    const renewed = tokenIn((await mailsTo(invitee)).at(-1)!.text);
    expect(followEmailLink(db, renewed, browser, Date.now(), acceptInvitation)).toMatchObject({ ok: true });
    expect(roleOf(event.id, invitee)).toBe("organizer");
  });

  it("another event's owner can't withdraw ours (404 within their own event)", async () => {
    const { event, asOwner } = await ownedEvent();
    await asOwner.team.add({ eventId: event.id, email: unique("ours"), role: "registrar" });
    const [invitation] = await asOwner.team.invitations({ eventId: event.id });
    const other = await ownedEvent();
    expect((await trpcError(other.asOwner.team.revokeInvitation({ eventId: other.event.id, invitationId: invitation.id }))).code).toBe("NOT_FOUND");
    expect(await asOwner.team.invitations({ eventId: event.id })).toHaveLength(1);
  });
});
