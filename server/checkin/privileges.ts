import { everyone, signedIn, type PrivilegeRows } from "@/server/testing/matrix";

export const privileges: PrivilegeRows = {
  procedures: {
    "checkin.scan": [
      {
        input: (w) => ({ eventId: w.event.id, secret: w.order.holderSecret }),
        expect: signedIn(403, { registrar: 200, organizer: 200, owner: 200 }),
        note: "staff read everything but don't work the door; only the event's team checks in",
      },
      {
        input: (w) => ({ eventId: w.otherEvent.id, secret: w.order.holderSecret }),
        expect: signedIn(403),
        note: "the team of one event can't scan at another's",
      },
      { input: () => ({ eventId: "no-such-event-xxxxxxxxx", secret: "whatever-secret-value" }), expect: signedIn(404) },
    ],
  },
  badInput: {
    "checkin.scan": [
      { as: "registrar", input: (w) => ({ eventId: w.event.id, secret: "" }), expect: 400, field: "secret" },
      { as: "registrar", input: (w) => ({ eventId: w.event.id, secret: "x".repeat(10_000) }), expect: 400, field: "secret" },
    ],
  },
  badRequests: [
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: {}, expect: 400, field: "secret" },
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: { secret: "x".repeat(600) }, expect: 400, field: "secret" },
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: "[1,", headers: { "content-type": "application/json" }, expect: 400 },
  ],
  routes: [
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "bearer",
      path: () => "/api/v1/checkin",
      body: (w) => ({ secret: w.order.holderSecret }),
      expect: signedIn(403, { registrar: 200, organizer: 200, owner: 200 }),
    },
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "bearer",
      scopes: ["tickets:read", "orders:read"],
      path: () => "/api/v1/checkin",
      body: (w) => ({ secret: w.order.holderSecret }),
      expect: signedIn(403),
      note: "a token without checkin:write is refused even for the team",
    },
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "bearer",
      path: () => "/api/v1/checkin",
      body: () => ({ secret: "AAAAAAAAAAAAAAAAAAAAAA" }),
      expect: signedIn(404),
    },
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "cookie",
      path: () => "/api/v1/checkin",
      body: (w) => ({ secret: w.order.holderSecret }),
      expect: everyone(401),
      note: "scanner devices use Bearer tokens; the browser check-in screen goes through tRPC",
    },
  ],
};
