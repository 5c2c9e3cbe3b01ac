import "server-only";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { eventMembers, events, teamInvitations, users, type EmailLink, type Event } from "@/db/schema";
import type { EventRole } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { emailLinkUrl, issueEmailLink, LINK_LIFETIMES } from "@/server/auth/email-links";
import { fieldError, notFound, rateLimited } from "@/server/errors";
import { randomId } from "@/server/ids";
import { composeMail, enqueueMail } from "@/server/mail";
import { accountMailLimits, reserve } from "@/server/rate-limit";

/**
 * Team invitations: an owner adds people to an event's team by email. Everyone is invited the same
 * way, account or not, so the answer never tells whether an address has an account: a mail with
 * a link which, followed, signs the invitee in with that address (creating a passwordless account
 * if needed, server/auth/email-links.ts) and puts them on the team. Pending invitations are
 * listed, can be withdrawn, and expire with their link.
 */

export const INVITATION_LIFETIME_MS = LINK_LIFETIMES.invitation;

const ROLE_WORDS: Record<EventRole, string> = { owner: "an owner", organizer: "an organizer", registrar: "a registrar (check-in)" };

/** Invites `email` (lower-cased) as `role`, or renews the pending invitation; people already on the team are a 409. */
export async function inviteToTeam(
  db: Db,
  event: Pick<Event, "id" | "name">,
  caller: Caller,
  input: { email: string; role: EventRole },
  ip: string,
  now = Date.now(),
): Promise<{ email: string; role: EventRole; expiresAt: number }> {
  const [member] = await db
    .select({ name: users.name, role: eventMembers.role })
    .from(eventMembers)
    .innerJoin(users, eq(users.id, eventMembers.userId))
    .where(and(eq(eventMembers.eventId, event.id), eq(users.email, input.email)))
    .limit(1);
  if (member) throw fieldError("CONFLICT", { email: `${member.name} is already on the team as ${member.role}. Change their role in the list.` });
  const reservation = await reserve(db, accountMailLimits(input.email, ip), { now });
  if (!reservation.ok) throw rateLimited(reservation.retryAfterSeconds, "Too many emails to this address", "email");

  const expiresAt = now + INVITATION_LIFETIME_MS;
  // The invitation, its link and the mail carrying it commit together (server/mail.ts).
  await transaction(db, async (tx) => {
    const renewed = { role: input.role, invitedBy: caller.user.id, createdAt: now, expiresAt, acceptedAt: null, revokedAt: null };
    const [invitation] = await tx
      .insert(teamInvitations)
      .values({ id: randomId(), eventId: event.id, email: input.email, ...renewed })
      .onConflictDoUpdate({ target: [teamInvitations.eventId, teamInvitations.email], set: renewed })
      .returning({ id: teamInvitations.id });
    await recordAudit(tx, { eventId: event.id, caller, action: "team_invitation_sent", detail: { email: input.email, role: input.role } }, now);
    const token = await issueEmailLink(tx, { purpose: "invitation", email: input.email, returnTo: "/dashboard", invitationId: invitation.id }, now);
    await enqueueMail(
      tx,
      composeMail({
        to: input.email,
        subject: `You're invited to help run ${event.name}`,
        greeting: "Hello,",
        body: [`${caller.user.name} invited you to the team of ${event.name} on Admit, as ${ROLE_WORDS[input.role]}.`],
        action: { label: "Accept the invitation", url: emailLinkUrl(token) },
        footer: [
          "The button signs you in to Admit with this email address (it creates your account if you have none) and puts you on the team. It works once, for 7 days.",
          "If you don't know this event, ignore this email: nothing happens without it.",
        ],
      }),
      now,
    );
  });
  return { email: input.email, role: input.role, expiresAt };
}

/** Invitations not yet accepted or withdrawn, oldest first; expired ones say so until renewed. */
export async function listInvitations(db: Db, event: Pick<Event, "id">, now = Date.now()) {
  const pending = await db
    .select({ id: teamInvitations.id, email: teamInvitations.email, role: teamInvitations.role, createdAt: teamInvitations.createdAt, expiresAt: teamInvitations.expiresAt })
    .from(teamInvitations)
    .where(and(eq(teamInvitations.eventId, event.id), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)))
    .orderBy(asc(teamInvitations.createdAt));
  return pending.map((invitation) => ({ ...invitation, expired: invitation.expiresAt <= now }));
}

/** Withdraws a pending invitation: its link then joins nothing. Another event's (or an unknown) id is 404. */
export function revokeInvitation(db: Db, event: Pick<Event, "id">, caller: Caller, invitationId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const [withdrawn] = await tx
      .update(teamInvitations)
      .set({ revokedAt: now })
      .where(and(eq(teamInvitations.id, invitationId), eq(teamInvitations.eventId, event.id), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)))
      .returning({ email: teamInvitations.email, role: teamInvitations.role });
    if (!withdrawn) throw notFound("No such pending invitation");
    await recordAudit(tx, { eventId: event.id, caller, action: "team_invitation_withdrawn", detail: withdrawn }, now);
    return { withdrawn: true };
  });
}

export type InvitationState = { state: "pending"; eventName: string; role: EventRole } | { state: "gone" };

/** What an invitation link's page says: the event and role, or that the invitation is gone. */
export async function invitationOfLink(db: Db, link: Pick<EmailLink, "invitationId" | "email">, now = Date.now()): Promise<InvitationState> {
  if (!link.invitationId) return { state: "gone" };
  const [row] = await db
    .select({ invitation: teamInvitations, eventName: events.name })
    .from(teamInvitations)
    .innerJoin(events, eq(events.id, teamInvitations.eventId))
    .where(and(eq(teamInvitations.id, link.invitationId), eq(teamInvitations.email, link.email)))
    .limit(1);
  if (!row || row.invitation.acceptedAt !== null || row.invitation.revokedAt !== null || row.invitation.expiresAt <= now) return { state: "gone" };
  return { state: "pending", eventName: row.eventName, role: row.invitation.role };
}

/**
 * Accepts the invitation an invitation link carries, inside the transaction that follows the link
 * (followEmailLink's afterProof): the invitee joins the team with the invited role. Withdrawn or
 * expired, it throws, and the whole follow rolls back (the link stays unspent, nobody is signed in).
 * It is claimed by one conditional UPDATE, so it is accepted once even when two of its links (an
 * invitation renewed keeps its id) are followed at once, and never after a concurrent withdrawal:
 * on PostgreSQL the later UPDATE waits for the earlier one's row lock, then finds it taken.
 */
export async function acceptInvitation(tx: Db, link: EmailLink, user: { id: string; name: string }, now = Date.now()): Promise<void> {
  if (link.purpose !== "invitation") return;
  const [invitation] = link.invitationId
    ? await tx
        .update(teamInvitations)
        .set({ acceptedAt: now })
        .where(
          and(
            eq(teamInvitations.id, link.invitationId),
            eq(teamInvitations.email, link.email),
            isNull(teamInvitations.acceptedAt),
            isNull(teamInvitations.revokedAt),
            gt(teamInvitations.expiresAt, now),
          ),
        )
        .returning()
    : [];
  if (!invitation) {
    throw fieldError("BAD_REQUEST", { token: "This invitation was withdrawn or has expired. Ask the event's owner to invite you again." });
  }
  // Someone already on the team keeps their role: an old invitation never demotes an owner.
  await tx.insert(eventMembers).values({ eventId: invitation.eventId, userId: user.id, role: invitation.role, createdAt: now }).onConflictDoNothing();
  await recordAudit(tx, { eventId: invitation.eventId, caller: null, action: "team_invitation_accepted", detail: { userId: user.id, name: user.name, email: invitation.email, role: invitation.role } }, now);
}
