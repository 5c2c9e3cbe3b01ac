import { openDb, setDb, type AppDb } from "@/db/client";
import { eq } from "drizzle-orm";
import { eventMembers, events, users, type Event, type User } from "@/db/schema";
import { accessTokenKey, signAccessToken } from "@/server/auth/access-token";
import { authenticateCookie, type Caller } from "@/server/auth/caller";
import { hashPassword } from "@/server/auth/passwords";
import { SCOPES } from "@/server/auth/scopes";
import { createApiSession, createBrowserSession } from "@/server/auth/sessions";
import { config } from "@/server/config";
import { randomId } from "@/server/ids";
import { insertEvent, insertOrder } from "./inserts";

/**
 * A small, complete world for privilege tests: one user per role, an event with its team, an
 * order by the buyer for themself and the holder, and a second event with an order of its own
 * (for "an id from another event is not found" checks). Built with direct inserts so it is cheap
 * enough to make afresh for every cell of the matrix.
 */
export const ROLES = ["anonymous", "user", "buyer", "holder", "registrar", "organizer", "owner", "staff", "admin"] as const;
export type Role = (typeof ROLES)[number];
export type SignedInRole = Exclude<Role, "anonymous">;

export const WORLD_PASSWORD = "world-password-1";
let passwordHash: Promise<string> | undefined;

export type World = {
  db: AppDb;
  users: Record<SignedInRole, User>;
  event: { id: string; slug: string; ticketTypeId: string };
  order: { id: string; buyerAttendeeId: string; holderAttendeeId: string; holderSecret: string; holderDoorCode: string };
  otherEvent: { id: string; slug: string; ticketTypeId: string; orderId: string; attendeeId: string; ownerId: string };
  /** A browser session for the role: the cookie header value and the resolved caller. */
  cookieFor(role: SignedInRole): { cookie: string; caller: Caller };
  /** A Bearer token for the role with the given scopes (default: all). */
  bearerFor(role: SignedInRole, scopes?: readonly (typeof SCOPES)[number][]): Promise<string>;
};

export async function buildWorld(file = ":memory:"): Promise<World> {
  const db = openDb(file);
  setDb(db);
  passwordHash ??= hashPassword(WORLD_PASSWORD);
  const hash = await passwordHash;
  const now = Date.now();
  const mkUser = (name: string, role: User["role"] = "user"): User => {
    const user: User = {
      id: randomId(),
      email: `${name}-${randomId(4)}@world.test`.toLowerCase(),
      name: name[0].toUpperCase() + name.slice(1),
      passwordHash: hash,
      role,
      emailVerifiedAt: now,
      createdAt: now,
    };
    db.insert(users).values(user).run();
    return user;
  };
  const u: Record<SignedInRole, User> = {
    user: mkUser("user"),
    buyer: mkUser("buyer"),
    holder: mkUser("holder"),
    registrar: mkUser("registrar"),
    organizer: mkUser("organizer"),
    owner: mkUser("owner"),
    staff: mkUser("staff", "staff"),
    admin: mkUser("admin", "admin"),
  };

  // Tomorrow, so nothing about the world is in the past.
  const mkEvent = (name: string) =>
    insertEvent(db, name, { event: { venue: "Hall 1", startsAt: now + 86_400_000, endsAt: now + 90_000_000 }, ticketType: { name: "General", priceCents: 1000, quantity: 100 } }, now);
  const event = mkEvent("World Conf");
  for (const [role, user] of [["owner", u.owner], ["organizer", u.organizer], ["registrar", u.registrar]] as const) {
    db.insert(eventMembers).values({ eventId: event.id, userId: user.id, role, createdAt: now }).run();
  }

  const mkOrder = (event: { id: string; ticketTypeId: string }, buyer: User, holders: User[]) => {
    const order = insertOrder(db, event, buyer, holders, now);
    return { orderId: order.id, rows: order.attendees };
  };
  const main = mkOrder(event, u.buyer, [u.buyer, u.holder]);

  const otherOwner = mkUser("other-owner");
  const other = mkEvent("Other Fest");
  db.insert(eventMembers).values({ eventId: other.id, userId: otherOwner.id, role: "owner", createdAt: now }).run();
  const otherOrder = mkOrder(other, otherOwner, [otherOwner]);

  return {
    db,
    users: u,
    event,
    order: { id: main.orderId, buyerAttendeeId: main.rows[0].id, holderAttendeeId: main.rows[1].id, holderSecret: main.rows[1].checkinSecret, holderDoorCode: main.rows[1].doorCode },
    otherEvent: { ...other, orderId: otherOrder.orderId, attendeeId: otherOrder.rows[0].id, ownerId: otherOwner.id },
    cookieFor(role) {
      const { secret } = createBrowserSession(db, u[role].id, { device: "matrix", ip: "127.0.0.1" });
      const auth = authenticateCookie(db, secret);
      if (auth.kind !== "caller") throw new Error("world: browser session did not authenticate");
      return { cookie: secret, caller: auth.caller };
    },
    async bearerFor(role, scopes = SCOPES) {
      const { session } = createApiSession(db, u[role].id, [...scopes], { device: "matrix", ip: "127.0.0.1" });
      return signAccessToken(accessTokenKey(config().authSecret), { userId: u[role].id, sessionId: session.id, scopes: [...scopes] });
    },
  };
}

/** The world's main event as a full row, for domain functions that take an authorized event. */
export function eventRow(world: World): Event {
  return world.db.select().from(events).where(eq(events.id, world.event.id)).get()!;
}
