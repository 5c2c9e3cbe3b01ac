import { signedIn, type PrivilegeRows } from "@/server/testing/matrix";

export const privileges: PrivilegeRows = {
  procedures: {
    "team.list": [
      { input: (w) => ({ eventId: w.event.id }), expect: signedIn(403, { organizer: 200, owner: 200, staff: 200, admin: 200 }) },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403, { staff: 200, admin: 200 }), note: "our team sees nothing of another event" },
      { input: () => ({ eventId: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: signedIn(404) },
    ],
    "team.add": [
      { input: (w) => ({ eventId: w.event.id, email: w.users.user.email, role: "registrar" }), expect: signedIn(403, { owner: 200 }) },
      { input: (w) => ({ eventId: w.otherEvent.id, email: w.users.user.email, role: "organizer" }), expect: signedIn(403) },
    ],
    "team.remove": [
      { input: (w) => ({ eventId: w.event.id, userId: w.users.registrar.id }), expect: signedIn(403, { owner: 200 }) },
      { input: (w) => ({ eventId: w.otherEvent.id, userId: w.otherEvent.ownerId }), expect: signedIn(403) },
    ],
  },
  badInput: {
    "team.list": [{ as: "owner", input: () => ({ eventId: "" }), expect: 400, field: "eventId" }],
    "team.add": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: "nobody-here@world.test", role: "registrar" }), expect: 404, field: "email" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: "not-an-email", role: "registrar" }), expect: 400, field: "email" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: w.users.user.email, role: "emperor" }), expect: 400, field: "role" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, email: w.users.owner.email, role: "organizer" }), expect: 409, field: "userId" },
    ],
    "team.remove": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, userId: w.users.owner.id }), expect: 409, field: "userId" },
      { as: "owner", input: (w) => ({ eventId: w.event.id, userId: w.users.user.id }), expect: 404 },
    ],
  },
};
