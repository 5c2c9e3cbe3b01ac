import "server-only";
import { dialect } from "../dialect";
import * as pg from "./pg";
import * as sqlite from "./sqlite";

/**
 * The tables of the dialect in use. The domain is written once against one set of types (the
 * SQLite schema's: db/client.ts `Db` is typed for it), and the PostgreSQL tables are the same
 * tables column for column with the same TypeScript types (db/schema.test.ts compares them), so
 * the query builders produce the same rows on either.
 */
const active = (dialect === "postgres" ? pg : sqlite) as unknown as typeof sqlite;

export const {
  users,
  emailLinks,
  sessions,
  refreshTokens,
  rateLimitHits,
  events,
  eventMembers,
  teamInvitations,
  ticketTypes,
  orders,
  attendees,
  checkins,
  ticketDownloads,
  auditLog,
  auditTotals,
  mailQueue,
} = active;

export type { Attendee, EmailLink, Event, Order, QueuedMail, Session, TicketType, User } from "./sqlite";
