import { signedIn, type PrivilegeRows } from "@/server/testing/matrix";

const staffOnly = (status = 200) => signedIn(403, { staff: status, admin: status });

export const privileges: PrivilegeRows = {
  procedures: {
    "admin.users": { input: () => ({ search: "world", page: 1 }), expect: staffOnly() },
    "admin.setRole": { input: (w) => ({ userId: w.users.user.id, role: "staff" }), expect: signedIn(403, { admin: 200 }), note: "staff read; only admins grant roles" },
    "admin.events": { input: () => ({ search: "Conf", page: 1 }), expect: staffOnly() },
    "admin.sessions": { input: (w) => ({ userId: w.users.buyer.id }), expect: staffOnly() },
    "admin.revokeSession": { input: () => ({ sessionId: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: staffOnly(404) },
    "admin.mails": { input: () => ({ status: "failed", page: 1 }), expect: staffOnly() },
    "admin.retryMail": { input: () => ({ mailId: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: staffOnly(404), note: "no failed mail with that id" },
  },
  badInput: {
    "admin.sessions": [{ as: "staff", input: () => ({ userId: "" }), expect: 400, field: "userId" }],
    "admin.revokeSession": [{ as: "staff", input: () => ({ sessionId: "x".repeat(65) }), expect: 400, field: "sessionId" }],
    "admin.users": [{ as: "staff", input: () => ({ search: "x".repeat(10_000) }), expect: 400, field: "search" }],
    "admin.events": [
      { as: "staff", input: () => ({ search: "x".repeat(10_000) }), expect: 400, field: "search" },
      { as: "staff", input: () => ({ page: 0 }), expect: 400, field: "page" },
    ],
    "admin.mails": [
      { as: "staff", input: () => ({ status: "sent" }), expect: 400, field: "status" },
      { as: "staff", input: () => ({ page: 0 }), expect: 400, field: "page" },
    ],
    "admin.retryMail": [{ as: "staff", input: () => ({ mailId: "" }), expect: 400, field: "mailId" }],
    "admin.setRole": [
      { as: "admin", input: (w) => ({ userId: w.users.user.id, role: "root" }), expect: 400, field: "role" },
      { as: "admin", input: (w) => ({ userId: w.users.admin.id, role: "user" }), expect: 409, field: "role" },
      { as: "admin", input: () => ({ userId: "AAAAAAAAAAAAAAAAAAAAAA", role: "staff" }), expect: 404 },
    ],
  },
};
