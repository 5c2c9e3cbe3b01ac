import { signedIn, type BadRequestRow, type PrivilegeRows, type RouteRow } from "@/server/testing/matrix";

const ORDER_ROUTE = "app/tickets/[orderIdentifier]/route.ts";
const ATTENDEE_ROUTE = "app/tickets/[orderIdentifier]/[attendeeIdentifier]/route.ts";
const QR_ROUTE = "app/tickets/[orderIdentifier]/[attendeeIdentifier]/qr.svg/route.ts";

type Attendee = "holderAttendeeId" | "buyerAttendeeId";

/** One attendee's ticket of the world's order: its PDF, or its QR (the same rule: the QR is the ticket). */
const ticketRow = (file: typeof ATTENDEE_ROUTE | typeof QR_ROUTE, method: RouteRow["method"], auth: RouteRow["auth"], attendee: Attendee, expect: RouteRow["expect"]): RouteRow => ({
  file,
  method,
  auth,
  path: (w) => `/tickets/${w.order.id}/${w.order[attendee]}${file === QR_ROUTE ? "/qr.svg" : ""}`,
  params: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: w.order[attendee] }),
  expect,
});
const qrRow = (auth: RouteRow["auth"], attendee: Attendee, expect: RouteRow["expect"]) => ticketRow(QR_ROUTE, "GET", auth, attendee, expect);

/** Buyer, owner, organizer, staff and admin see every ticket; a holder only their own; registrars none. */
const wholeOrder = signedIn(200, { user: 403, registrar: 403 });
/** Another attendee's ticket of the same order: everyone who sees the whole order, not the holder. */
const notTheHolders = signedIn(200, { user: 403, registrar: 403, holder: 403 });

const orderRows = (method: RouteRow["method"], auth: RouteRow["auth"]): RouteRow => ({
  file: ORDER_ROUTE,
  method,
  auth,
  path: (w) => `/tickets/${w.order.id}`,
  params: (w) => ({ orderIdentifier: w.order.id }),
  expect: wholeOrder,
  note: "the holder gets a PDF with only their own ticket (checked page by page in routes.test.ts)",
});

/** Hostile or foreign ids for the QR, from the buyer, who would get it for the real ones. */
const qrBadRequests: BadRequestRow[] = [
  { file: QR_ROUTE, method: "GET", auth: "cookie", as: "buyer", path: () => "/tickets/x/y/qr.svg", params: () => ({ orderIdentifier: "../../etc/passwd", attendeeIdentifier: "x" }), expect: 404 },
  { file: QR_ROUTE, method: "GET", auth: "bearer", as: "buyer", path: (w) => `/tickets/${w.order.id}/x/qr.svg`, params: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: w.otherEvent.attendeeId }), expect: 404 },
  { file: QR_ROUTE, method: "GET", auth: "cookie", as: "buyer", path: (w) => `/tickets/${w.order.id}/%00/qr.svg`, params: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: "\u0000".repeat(3000) }), expect: 404 },
];

export const privileges: PrivilegeRows = {
  badRequests: [
    ...(["GET", "HEAD"] as const).flatMap((method): BadRequestRow[] => [
    // Hostile identifiers from the buyer, who would get the file for the real ones: never a file, never a 500.
    { file: ORDER_ROUTE, method, auth: "cookie" as const, as: "buyer" as const, path: () => "/tickets/..%2F..%2Fetc%2Fpasswd", params: () => ({ orderIdentifier: "../../etc/passwd" }), expect: 404 },
    { file: ORDER_ROUTE, method, auth: "bearer" as const, as: "buyer" as const, path: () => "/tickets/x", params: () => ({ orderIdentifier: "x".repeat(5000) }), expect: 404 },
    { file: ATTENDEE_ROUTE, method, auth: "cookie" as const, as: "buyer" as const, path: (w) => `/tickets/${w.order.id}/%00`, params: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: "\u0000" }), expect: 404 },
    { file: ATTENDEE_ROUTE, method, auth: "bearer" as const, as: "buyer" as const, path: (w) => `/tickets/${w.order.id}/x`, params: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: w.otherEvent.attendeeId }), expect: 404 },
    ]),
    ...qrBadRequests,
  ],
  routes: [
    qrRow("cookie", "holderAttendeeId", wholeOrder),
    qrRow("bearer", "holderAttendeeId", wholeOrder),
    { ...qrRow("cookie", "buyerAttendeeId", notTheHolders), note: "the QR is the ticket: a holder sees only their own, like the PDF" },
    { ...qrRow("bearer", "holderAttendeeId", signedIn(403)), scopes: ["orders:read", "checkin:write", "events:manage"], note: "a token without tickets:read gets no QR" },
    orderRows("GET", "cookie"),
    orderRows("GET", "bearer"),
    orderRows("HEAD", "cookie"),
    orderRows("HEAD", "bearer"),
    {
      ...orderRows("GET", "bearer"),
      scopes: ["orders:read", "checkin:write", "events:manage"],
      expect: signedIn(403),
      note: "a token without tickets:read gets no PDF, whoever holds it",
    },
    {
      file: ORDER_ROUTE,
      method: "GET",
      auth: "cookie",
      path: () => "/tickets/AAAAAAAAAAAAAAAAAAAAAA",
      params: () => ({ orderIdentifier: "AAAAAAAAAAAAAAAAAAAAAA" }),
      expect: signedIn(404),
    },
    {
      file: ORDER_ROUTE,
      method: "GET",
      auth: "cookie",
      path: () => "/tickets/..%2F..%2Fetc%2Fpasswd",
      params: () => ({ orderIdentifier: "../../etc/passwd" }),
      expect: signedIn(404),
    },
    {
      file: ORDER_ROUTE,
      method: "GET",
      auth: "cookie",
      path: (w) => `/tickets/${w.otherEvent.orderId}`,
      params: (w) => ({ orderIdentifier: w.otherEvent.orderId }),
      expect: signedIn(403, { staff: 200, admin: 200 }),
      note: "another event's order: its team and buyer are other people",
    },
    ticketRow(ATTENDEE_ROUTE, "GET", "cookie", "holderAttendeeId", wholeOrder),
    ticketRow(ATTENDEE_ROUTE, "GET", "bearer", "holderAttendeeId", wholeOrder),
    {
      ...ticketRow(ATTENDEE_ROUTE, "GET", "cookie", "buyerAttendeeId", notTheHolders),
      note: "a holder asking for another attendee of the same order: it exists, and isn't theirs",
    },
    ticketRow(ATTENDEE_ROUTE, "HEAD", "cookie", "buyerAttendeeId", notTheHolders),
    {
      file: ATTENDEE_ROUTE,
      method: "GET",
      auth: "cookie",
      path: (w) => `/tickets/${w.order.id}/${w.otherEvent.attendeeId}`,
      params: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: w.otherEvent.attendeeId }),
      expect: signedIn(404, { user: 403, registrar: 403 }),
      note: "an attendee of another order (and event) is not found in this one; who can't see the order at all is refused first",
    },
  ],
};
