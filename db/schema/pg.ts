import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

// The PostgreSQL schema: db/schema/sqlite.ts table for table, column for column (db/schema.test.ts
// holds them in lockstep). Timestamps are bigint milliseconds (no 2038 overflow), JSON is jsonb,
// flags are boolean; roster search has trigram indexes where SQLite has FTS5.
// All timestamps are integer milliseconds since the epoch (UTC).
// All primary keys exposed to clients are 128-bit random, URL-safe strings (see server/ids.ts),
// so nothing sequential ever leaves the server.

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  /** Always stored lower-cased; matching is case-insensitive by construction. */
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /**
   * Null for an account that lives on email links alone: made by guest checkout or a link, or
   * whose password was dropped when its mailbox was proven (server/auth/email-links.ts).
   */
  passwordHash: text("password_hash"),
  role: text("role", { enum: ["user", "staff", "admin"] }).notNull().default("user"),
  emailVerifiedAt: bigint("email_verified_at", { mode: "number" }),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
});

/**
 * Emailed links (server/auth/email-links.ts): each proves its mailbox once, then is spent. Only
 * the SHA-256 of the token is stored.
 */
export const emailLinks = pgTable(
  "email_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    purpose: text("purpose", { enum: ["sign_in", "verify", "order", "invitation"] }).notNull(),
    /** The mailbox it was sent to, lower-cased: following it signs in as this address's account. */
    email: text("email").notNull(),
    /** Where the browser lands after following it: a path on our origin. */
    returnTo: text("return_to").notNull().default("/"),
    /** The name an account created by following it gets (an attendee's, a guest buyer's). */
    name: text("name"),
    /** A confirmation link's registering session: followed from that very session, the registration's password stays. */
    sessionId: text("session_id"),
    /** An invitation link's team invitation (server/team/invitations.ts): following it accepts it. */
    invitationId: text("invitation_id"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
    usedAt: bigint("used_at", { mode: "number" }),
  },
  (t) => [index("email_links_email_idx").on(t.email, t.createdAt)],
);

/** The session whitelist: one row per signed-in browser or API client. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["browser", "api"] }).notNull(),
    /** SHA-256 of the browser cookie secret; null for API sessions (they use refresh_tokens). */
    secretHash: text("secret_hash").unique(),
    device: text("device").notNull(),
    ip: text("ip").notNull(),
    /** Space-separated scopes. */
    scopes: text("scopes").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    lastUsedAt: bigint("last_used_at", { mode: "number" }).notNull(),
    idleExpiresAt: bigint("idle_expires_at", { mode: "number" }).notNull(),
    absoluteExpiresAt: bigint("absolute_expires_at", { mode: "number" }).notNull(),
    revokedAt: bigint("revoked_at", { mode: "number" }),
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Every refresh token ever issued (hash only), so a reused one can be recognised. */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    sessionId: text("session_id").notNull().references(() => sessions.id, { onDelete: "cascade" }),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    usedAt: bigint("used_at", { mode: "number" }),
  },
  (t) => [index("refresh_tokens_session_idx").on(t.sessionId)],
);

/**
 * Rate-limit hits, one row per counted event under a key (server/rate-limit.ts): failed or
 * in-flight sign-ins per account, address and pair, mails sent per recipient, account and address.
 */
export const rateLimitHits = pgTable(
  "rate_limit_hits",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    key: text("key").notNull(),
    at: bigint("at", { mode: "number" }).notNull(),
  },
  (t) => [index("rate_limit_hits_key_at_idx").on(t.key, t.at)],
);

export const events = pgTable("events", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  venue: text("venue").notNull(),
  startsAt: bigint("starts_at", { mode: "number" }).notNull(),
  endsAt: bigint("ends_at", { mode: "number" }).notNull(),
  /** IANA time zone name, e.g. "Europe/Berlin". */
  timeZone: text("time_zone").notNull(),
  published: boolean("published").notNull().default(false),
  /** Set on the first publication and never cleared: only a draft never shown to anyone may be deleted. */
  firstPublishedAt: bigint("first_published_at", { mode: "number" }),
  /** A cancelled event sells nothing, admits nobody, and its tickets print CANCELLED. */
  cancelledAt: bigint("cancelled_at", { mode: "number" }),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
});

export const eventMembers = pgTable(
  "event_members",
  {
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["owner", "organizer", "registrar"] }).notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.userId] }), index("event_members_user_idx").on(t.userId)],
);

/**
 * Invitations to an event's team, by email (server/team/invitations.ts): pending until the
 * invitee follows the emailed link, withdrawn by an owner, or expired. One row per event and
 * address; inviting again renews it.
 */
export const teamInvitations = pgTable(
  "team_invitations",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    /** Lower-cased. */
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "organizer", "registrar"] }).notNull(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
    acceptedAt: bigint("accepted_at", { mode: "number" }),
    revokedAt: bigint("revoked_at", { mode: "number" }),
  },
  (t) => [uniqueIndex("team_invitations_event_email_idx").on(t.eventId, t.email)],
);

export const ticketTypes = pgTable(
  "ticket_types",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    priceCents: integer("price_cents").notNull().default(0),
    currency: text("currency").notNull().default("EUR"),
    quantity: integer("quantity").notNull(),
    /** Seats taken; only ever changed by a conditional UPDATE so capacity can't be oversold. */
    sold: integer("sold").notNull().default(0),
    /** Sale window, ms; null = from publication / until the event. */
    salesStartAt: bigint("sales_start_at", { mode: "number" }),
    salesEndAt: bigint("sales_end_at", { mode: "number" }),
    /** At most this many of the type in one order; null = only the order-wide cap. */
    maxPerOrder: integer("max_per_order"),
    /** Off the event page and not for sale; a type with sales is hidden instead of deleted. */
    hidden: boolean("hidden").notNull().default(false),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (t) => [index("ticket_types_event_idx").on(t.eventId)],
);

export const orders = pgTable(
  "orders",
  {
    /** The public order identifier (128 random bits). */
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    buyerId: text("buyer_id").notNull().references(() => users.id),
    buyerName: text("buyer_name").notNull(),
    buyerEmail: text("buyer_email").notNull(),
    status: text("status", { enum: ["completed", "cancelled"] }).notNull().default("completed"),
    paid: boolean("paid").notNull().default(false),
    totalCents: integer("total_cents").notNull(),
    /**
     * The buyer account sees this order only once its email is proven: a guest's order (anyone
     * could type that address) and the orders of a pending registration someone else replaced.
     */
    buyerMustProveEmail: boolean("buyer_must_prove_email").notNull().default(false),
    currency: text("currency").notNull().default("EUR"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (t) => [index("orders_buyer_idx").on(t.buyerId), index("orders_event_idx").on(t.eventId, t.createdAt, t.id)],
);

export const attendees = pgTable(
  "attendees",
  {
    /** The public attendee identifier (128 random bits), distinct from the check-in secret. */
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    ticketTypeId: text("ticket_type_id").notNull().references(() => ticketTypes.id),
    name: text("name").notNull(),
    email: text("email").notNull(),
    /** Lower-cased email, matched against users' verified emails to find the ticket holder. */
    emailNormalized: text("email_normalized").notNull(),
    /** What the QR code carries (≥128 random bits); regenerated to invalidate a ticket. */
    checkinSecret: text("checkin_secret").notNull().unique(),
    /**
     * The short code printed under the QR for typing at the door (lib/door-code.ts):
     * 10 Crockford base32 characters, stored normalized (upper case, no dashes). Replaced
     * together with the secret.
     */
    doorCode: text("door_code").notNull().unique(),
    status: text("status", { enum: ["valid", "cancelled"] }).notNull().default("valid"),
    cancelledAt: bigint("cancelled_at", { mode: "number" }),
    checkedInAt: bigint("checked_in_at", { mode: "number" }),
    checkedInBy: text("checked_in_by").references(() => users.id),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (t) => [
    index("attendees_order_idx").on(t.orderId),
    // Covers the roster's ORDER BY name, id, so deep pages skip through the index alone.
    index("attendees_event_name_idx").on(t.eventId, t.name, t.id),
    index("attendees_email_idx").on(t.emailNormalized),
    // The roster's filters count matches through these instead of reading every row.
    index("attendees_event_checked_in_idx").on(t.eventId, t.checkedInAt),
    index("attendees_event_status_idx").on(t.eventId, t.status),
    // With checked_in_at, the door's per-type counts come from the index alone.
    index("attendees_event_type_idx").on(t.eventId, t.ticketTypeId, t.checkedInAt),
    // Substring search over names (accents and case folded) and emails (db/search.ts): pg_trgm
    // GIN indexes, what FTS5's trigram table is on SQLite. admit_fold is created with the
    // extensions in migration 0000 (unaccent itself isn't immutable, so it can't index).
    index("attendees_name_trgm_idx").using("gin", sql`admit_fold(${t.name}) gin_trgm_ops`),
    index("attendees_email_trgm_idx").using("gin", sql`${t.emailNormalized} gin_trgm_ops`),
  ],
);

/** Every check-in attempt, successful or not, with who and through which session. */
export const checkins = pgTable(
  "checkins",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    attendeeId: text("attendee_id").references(() => attendees.id, { onDelete: "cascade" }),
    result: text("result", {
      enum: ["checked_in", "already_checked_in", "cancelled", "event_cancelled", "not_found", "wrong_event", "undone"],
    }).notNull(),
    userId: text("user_id").notNull().references(() => users.id),
    sessionId: text("session_id"),
    at: bigint("at", { mode: "number" }).notNull(),
  },
  (t) => [index("checkins_event_idx").on(t.eventId, t.at)],
);

/** Audit of every ticket PDF download. */
export const ticketDownloads = pgTable(
  "ticket_downloads",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: text("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id),
    sessionId: text("session_id"),
    /** Attendee identifiers included in the file (a JSON array). */
    attendeeIds: jsonb("attendee_ids").$type<string[]>().notNull(),
    /** Why the caller could see it: buyer, holder, owner, organizer, staff. */
    accessAs: text("access_as").notNull(),
    /** The PDF, or the QR shown on a phone ("Show ticket"): both hand out the check-in secret. */
    format: text("format", { enum: ["pdf", "qr"] }).notNull().default("pdf"),
    ip: text("ip").notNull(),
    at: bigint("at", { mode: "number" }).notNull(),
  },
  (t) => [index("ticket_downloads_order_idx").on(t.orderId, t.at)],
);

/** Event-level audit log: downloads, check-ins, cancellations, regenerations, team changes. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    eventId: text("event_id").references(() => events.id, { onDelete: "cascade" }),
    actorId: text("actor_id").references(() => users.id),
    sessionId: text("session_id"),
    action: text("action").notNull(),
    /** The action's details (a JSON object). */
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    at: bigint("at", { mode: "number" }).notNull(),
  },
  (t) => [index("audit_log_event_idx").on(t.eventId, t.at)],
);

/**
 * What retention (server/maintenance.ts) keeps of the ticket-download and check-in rows it deletes
 * once an event is long over: how many there were, per event, order and kind, and when.
 */
export const auditTotals = pgTable(
  "audit_totals",
  {
    eventId: text("event_id").notNull().references(() => events.id, { onDelete: "cascade" }),
    /** The order, for downloads; "" for check-ins, which are counted per event. */
    orderId: text("order_id").notNull().default(""),
    /** "ticket_download", or "checkin:" and the check-in's result. */
    kind: text("kind").notNull(),
    count: integer("count").notNull(),
    firstAt: bigint("first_at", { mode: "number" }).notNull(),
    lastAt: bigint("last_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.orderId, t.kind] })],
);

/**
 * Mail waiting to go out, written in the same transaction as the change that causes it
 * (server/mail.ts), and delivered by the worker of server/mail-worker.ts. A worker claims a row
 * with one conditional UPDATE (pending, due, and no live claim), which also counts the attempt;
 * `attempts` then identifies that claim when its outcome is written back.
 */
export const mailQueue = pgTable(
  "mail_queue",
  {
    id: text("id").primaryKey(),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    bodyText: text("body_text").notNull(),
    bodyHtml: text("body_html"),
    status: text("status", { enum: ["pending", "sent", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** Not before this time (backoff after a failed attempt). */
    nextAttemptAt: bigint("next_attempt_at", { mode: "number" }).notNull(),
    /** A worker is delivering it until then; after that (a crashed worker) anyone may claim it. */
    claimedUntil: bigint("claimed_until", { mode: "number" }),
    lastError: text("last_error"),
    lastAttemptAt: bigint("last_attempt_at", { mode: "number" }),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    sentAt: bigint("sent_at", { mode: "number" }),
  },
  (t) => [index("mail_queue_status_due_idx").on(t.status, t.nextAttemptAt), index("mail_queue_status_created_idx").on(t.status, t.createdAt)],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Event = typeof events.$inferSelect;
export type TicketType = typeof ticketTypes.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type Attendee = typeof attendees.$inferSelect;
