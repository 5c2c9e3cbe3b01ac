import { teamInvitations } from "@/db/schema";
import { randomId } from "@/server/ids";
import { signedIn, type PrivilegeRows } from "@/server/testing/matrix";
import type { World } from "@/server/testing/world";

/** A pending invitation to the world's event (each matrix cell gets a fresh world). */
async function pendingInvitation(w: World): Promise<string> {
  const id = randomId();
  const now = Date.now();
  await w.db.insert(teamInvitations).values({ id, eventId: w.event.id, email: "invited@world.test", role: "registrar", invitedBy: w.users.owner.id, createdAt: now, expiresAt: now + 86_400_000 });
  return id;
}

export const privileges: PrivilegeRows = {
  procedures: {
    "team.list": [
      { input: (w) => ({ eventId: w.event.id }), expect: signedIn(403, { organizer: 200, owner: 200, staff: 200, admin: 200 }) },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403, { staff: 200, admin: 200 }), note: "our team sees nothing of another event" },
      { input: () => ({ eventId: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: signedIn(404) },
    ],
    "team.add": [
      { input: (w) => ({ eventId: w.event.id, email: w.users.user.email, role: "registrar" }), expect: signedIn(403, { owner: 200 }), note: "an invitation by email, to an address with an account" },
      { input: (w) => ({ eventId: w.event.id, email: "nobody-here@world.test", role: "registrar" }), expect: signedIn(403, { owner: 200 }), note: "the same answer for an address without one" },
      { input: (w) => ({ eventId: w.otherEvent.id, email: w.users.user.email, role: "organizer" }), expect: signedIn(403) },
    ],
    "team.invitations": [
      { input: (w) => ({ eventId: w.event.id }), expect: signedIn(403, { owner: 200 }), note: "pending invitations are the owners' business" },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403) },
      { input: () => ({ eventId: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: signedIn(404) },
    ],
    "team.revokeInvitation": [
      { input: async (w) => ({ eventId: w.event.id, invitationId: await pendingInvitation(w) }), expect: signedIn(403, { owner: 200 }) },
      { input: async (w) => ({ eventId: w.otherEvent.id, invitationId: await pendingInvitation(w) }), expect: signedIn(403), note: "another event's team can't reach our invitations" },
    ],
    "team.setRole": [
      { input: (w) => ({ eventId: w.event.id, userId: w.users.registrar.id, role: "organizer" }), expect: signedIn(403, { owner: 200 }) },
      { input: (w) => ({ eventId: w.otherEvent.id, userId: w.otherEvent.ownerId, role: "registrar" }), expect: signedIn(403) },
    ],
    "team.remove": [
      { input: (w) => ({ eventId: w.event.id, userId: w.users.registrar.id }), expect: signedIn(403, { owner: 200 }) },
      { input: (w) => ({ eventId: w.otherEvent.id, userId: w.otherEvent.ownerId }), expect: signedIn(403) },
    ],
  },
  badInput: {
    "team.list": [{ as: "owner", input: () => ({ eventId: "" }), expect: 400, field: "eventId" }],
    "team.add": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: "not-an-email", role: "registrar" }), expect: 400, field: "email" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: w.users.user.email, role: "emperor" }), expect: 400, field: "role" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: w.users.owner.email, role: "organizer" }), expect: 409, field: "email" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: w.users.registrar.email.toUpperCase(), role: "organizer" }), expect: 409, field: "email" },
    ],
    "team.invitations": [{ as: "owner", input: () => ({ eventId: "" }), expect: 400, field: "eventId" }],
    "team.revokeInvitation": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, invitationId: "" }), expect: 400, field: "invitationId" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, invitationId: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: 404 },
    ],
    "team.setRole": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, userId: w.users.owner.id, role: "registrar" }), expect: 409, field: "userId" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, userId: w.users.registrar.id, role: "emperor" }), expect: 400, field: "role" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, userId: w.users.user.id, role: "organizer" }), expect: 404 },
    ],
    "team.remove": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, userId: w.users.owner.id }), expect: 409, field: "userId" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, userId: w.users.user.id }), expect: 404 },
    ],
  },
};
