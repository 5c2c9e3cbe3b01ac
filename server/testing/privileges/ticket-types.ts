import { ticketTypes } from "@/db/schema";
import { randomId } from "@/server/ids";
import { signedIn, type PrivilegeRows } from "@/server/testing/matrix";
import type { World } from "@/server/testing/world";

const writers = signedIn(403, { organizer: 200, owner: 200 });
const ghost = "AAAAAAAAAAAAAAAAAAAAAA";

/** A ticket type's settings as the Settings tab sends them. The world's "General" has 2 sold at 10.00. */
const settings = (overrides: Record<string, unknown> = {}) => ({
  name: "Late bird",
  description: "For the undecided",
  priceCents: 1500,
  quantity: 20,
  salesStartsAtLocal: "",
  salesEndsAtLocal: "",
  maxPerOrder: 4,
  hidden: false,
  ...overrides,
});

/** The world's General type as it is, with some settings changed. */
const general = (w: World, overrides: Record<string, unknown> = {}) => ({
  eventId: w.event.id,
  ticketTypeId: w.event.ticketTypeId,
  ...settings({ name: "General", priceCents: 1000, quantity: 100, maxPerOrder: null }),
  ...overrides,
});

/** A type of the world's event that nobody bought. */
async function unsoldType(w: World): Promise<string> {
  const id = randomId();
  await w.db.insert(ticketTypes).values({ id, eventId: w.event.id, name: "Unsold", quantity: 5, createdAt: Date.now() });
  return id;
}

export const privileges: PrivilegeRows = {
  procedures: {
    "ticketTypes.create": [
      { input: (w) => ({ eventId: w.event.id, ...settings() }), expect: writers, note: "staff read, they don't edit" },
      { input: (w) => ({ eventId: w.otherEvent.id, ...settings() }), expect: signedIn(403) },
      { input: () => ({ eventId: ghost, ...settings() }), expect: signedIn(404) },
    ],
    "ticketTypes.update": [
      { input: (w) => general(w, { quantity: 150, description: "Now with lunch" }), expect: writers },
      { input: (w) => ({ ...general(w), eventId: w.otherEvent.id }), expect: signedIn(403) },
      {
        input: (w) => ({ ...general(w), ticketTypeId: w.otherEvent.ticketTypeId }),
        expect: signedIn(403, { organizer: 404, owner: 404 }),
        note: "another event's ticket type is not found through ours",
      },
    ],
    "ticketTypes.remove": [
      { input: (w) => ({ eventId: w.event.id, ticketTypeId: w.event.ticketTypeId }), expect: writers, note: "sold, so it is hidden" },
      { input: async (w) => ({ eventId: w.event.id, ticketTypeId: (await unsoldType(w)) }), expect: writers, note: "never sold, so it is deleted" },
      { input: (w) => ({ eventId: w.otherEvent.id, ticketTypeId: w.otherEvent.ticketTypeId }), expect: signedIn(403) },
    ],
  },
  badInput: {
    "ticketTypes.create": [
      { as: "organizer", input: (w) => ({ eventId: w.event.id, ...settings({ name: "general" }) }), expect: 409, field: "name" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, ...settings({ quantity: 0 }) }), expect: 400, field: "quantity" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, ...settings({ priceCents: -1 }) }), expect: 400, field: "priceCents" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, ...settings({ maxPerOrder: 0 }) }), expect: 400, field: "maxPerOrder" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, ...settings({ salesStartsAtLocal: "2020-05-02T10:00", salesEndsAtLocal: "2020-05-01T10:00" }) }), expect: 400, field: "salesEndsAtLocal" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, ...settings({ salesEndsAtLocal: "2099-01-01T10:00" }) }), expect: 400, field: "salesEndsAtLocal" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, ...settings({ salesStartsAtLocal: "yesterday" }) }), expect: 400, field: "salesStartsAtLocal" },
    ],
    "ticketTypes.update": [
      { as: "organizer", input: (w) => general(w, { quantity: 1 }), expect: 400, field: "quantity" },
      { as: "organizer", input: (w) => general(w, { priceCents: 2000 }), expect: 400, field: "priceCents" },
      { as: "organizer", input: (w) => general(w, { salesStartsAtLocal: "2020-05-02T10:00", salesEndsAtLocal: "2020-05-01T10:00" }), expect: 400, field: "salesEndsAtLocal" },
      { as: "organizer", input: (w) => general(w, { ticketTypeId: "" }), expect: 400, field: "ticketTypeId" },
    ],
    "ticketTypes.remove": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, ticketTypeId: w.otherEvent.ticketTypeId }), expect: 404, field: "ticketTypeId" }],
  },
};
