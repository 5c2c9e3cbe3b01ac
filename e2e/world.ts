import { eq } from "drizzle-orm";
import { openDb, type AppDb } from "@/db/client";
import { attendees, emailLinks, eventMembers, teamInvitations, type User } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import { issueEmailLink } from "@/server/auth/email-links";
import { randomId, sha256 } from "@/server/ids";
import { insertEvent, insertOrder } from "@/server/testing/inserts";
import { DATABASE_FILE, type Person } from "./support";

/**
 * One event with everyone around it, written straight into the server's database (the server has
 * already migrated it; WAL lets both processes use it): an owner, a registrar, staff, a buyer with
 * an order for herself and a friend (the holder), and a stranger. Sales are spread over the two
 * weeks before today, and the doors opened this morning, so the dashboard's chart has a story.
 */

export const WORLD_PASSWORD = "world-password-123";

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

export type World = {
  people: Record<"owner" | "registrar" | "staff" | "buyer" | "holder" | "stranger", Person>;
  event: { id: string; slug: string; name: string };
  /** The buyer's order: the buyer and the holder. */
  orderId: string;
  /** The holder's check-in secret (printed as the ticket's QR code), not yet used at the door. */
  holderCode: string;
  holderAttendeeId: string;
  /** Tokens of emailed links to the holder's ticket: one not yet followed, one already used. */
  links: { fresh: string; used: string; invitation: string };
};

/**
 * `label` keeps the accounts of one spec apart from another's in the shared database; without one
 * (the screenshots, taken on a database of their own) the addresses read like real ones.
 */
export async function seedWorld(label?: string): Promise<World> {
  const db = openDb(DATABASE_FILE, { migrate: false });
  try {
    return await seed(db, label ? `-${label}-${Date.now().toString(36)}` : "");
  } finally {
    await db.$admit.close();
  }
}

async function seed(db: AppDb, tag: string): Promise<World> {
  const account = (name: string, role?: User["role"]) =>
    createUser(db, { name, email: `${name.split(" ")[0].toLowerCase()}${tag}@harbour.test`, password: WORLD_PASSWORD, verified: true, role });
  const [owner, registrar, staff, buyer, holder, stranger] = await Promise.all([
    account("Olivia Organizer"),
    account("Reggie Registrar"),
    account("Stella Staff", "staff"),
    account("Alice Buyer"),
    account("Bob Holder"),
    account("Carol Stranger"),
  ]);

  const today = new Date();
  const opening = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 7);
  const now = Date.now();
  const event = (await insertEvent(db, "Harbour Conf", {
    event: { startsAt: opening, endsAt: opening + 9 * HOUR, venue: "Harbour Hall, Pier 3", timeZone: "Europe/Berlin" },
    ticketType: { name: "General admission", priceCents: 4900, quantity: 120 },
  }, now - 20 * DAY));
  for (const [user, role] of [[owner, "owner"], [registrar, "registrar"]] as const) {
    await db.insert(eventMembers).values({ eventId: event.id, userId: user.id, role, createdAt: now - 20 * DAY });
  }

  const order = (await insertOrder(db, event, buyer, [
    { name: buyer.name, email: buyer.email },
    { name: holder.name, email: holder.email },
  ], now - 14 * DAY));
  // Sales pick up as the day nears: 1, 2, 3… orders a day, names from a small list.
  const names = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Mo", "Nia"];
  const guests: string[] = [];
  for (let day = 13; day >= 1; day--) {
    for (let i = 0; i < Math.ceil((14 - day) / 3); i++) {
      const name = `${names[(day + i) % names.length]} ${names[(day * 3 + i) % names.length]}son`;
      const guest = (await insertOrder(db, event, owner, [{ name, email: `${name.replace(" ", ".").toLowerCase()}@example.com` }], now - day * DAY + i * HOUR));
      guests.push(guest.attendees[0].id);
    }
  }
  // Doors opened this morning (or an hour ago, whichever is earlier): a few people are in.
  const doors = Math.min(opening, now - HOUR);
  for (const [i, id] of guests.slice(0, 6).entries()) {
    await db.update(attendees).set({ checkedInAt: doors + i * 8 * 60 * 1000, checkedInBy: registrar.id }).where(eq(attendees.id, id));
  }

  const person = (user: User): Person => ({ name: user.name, email: user.email });
  const holderLanding = `/orders/${order.id}?ticket=${order.attendees[1].id}`;
  const link = () => issueEmailLink(db, { purpose: "order", email: holder.email, returnTo: holderLanding, name: holder.name });
  const used = await link();
  // A pending invitation to the team (listed on the team page) and its link.
  const invitationId = randomId();
  const invitee = `invitee${tag}@harbour.test`;
  await db.insert(teamInvitations).values({ id: invitationId, eventId: event.id, email: invitee, role: "registrar", invitedBy: owner.id, createdAt: now, expiresAt: now + 7 * DAY });
  const invitation = await issueEmailLink(db, { purpose: "invitation", email: invitee, returnTo: "/dashboard", invitationId });
  await db.update(emailLinks).set({ usedAt: now }).where(eq(emailLinks.tokenHash, sha256(used)));
  return {
    people: {
      owner: person(owner),
      registrar: person(registrar),
      staff: person(staff),
      buyer: person(buyer),
      holder: person(holder),
      stranger: person(stranger),
    },
    event: { id: event.id, slug: event.slug, name: "Harbour Conf" },
    orderId: order.id,
    holderCode: order.attendees[1].checkinSecret,
    holderAttendeeId: order.attendees[1].id,
    links: { fresh: await link(), used, invitation },
  };
}
