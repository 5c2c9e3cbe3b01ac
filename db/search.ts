import "server-only";
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { dialect } from "./dialect";
import { attendees } from "./schema";

/** The user's text as a LIKE pattern that matches it anywhere, literally: % and _ are characters. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Case-insensitive "contains" that treats the user's text literally: % and _ in a search are
 * characters, not wildcards. SQLite's LIKE ignores (ASCII) case; PostgreSQL's doesn't, ILIKE does.
 */
export function containsText(column: SQLWrapper, text: string): SQL {
  const like = sql.raw(dialect === "postgres" ? "ILIKE" : "LIKE");
  return sql`${column} ${like} ${containsPattern(text)} ESCAPE '\\'`;
}

/**
 * Attendees whose name or (normalized) email contains `text`, ignoring case and accents in names
 * ("garcia" finds "García"), fast on a 100,000-attendee roster.
 * - SQLite: three characters or more go through the FTS5 trigram index (migration 0002); shorter
 *   text falls back to a scan, since trigrams need three characters.
 * - PostgreSQL: pg_trgm GIN indexes on admit_fold(name) and email_normalized (db/schema/pg.ts),
 *   which serve LIKE '%…%' directly; admit_fold is lower(unaccent(…)).
 */
export function attendeeTextMatch(text: string): SQL {
  if (dialect === "postgres") {
    const pattern = containsPattern(text);
    return sql`(admit_fold(${attendees.name}) LIKE admit_fold(${pattern}) ESCAPE '\\' OR ${attendees.emailNormalized} LIKE ${pattern.toLowerCase()} ESCAPE '\\')`;
  }
  if ([...text].length < 3) return sql`(${containsText(attendees.name, text)} OR ${containsText(attendees.emailNormalized, text.toLowerCase())})`;
  const phrase = `"${text.replace(/"/g, '""')}"`;
  return sql`${attendees}.rowid IN (SELECT rowid FROM attendees_search WHERE attendees_search MATCH ${phrase})`;
}
