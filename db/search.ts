import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { attendees } from "./schema";

/**
 * Case-insensitive "contains" that treats the user's text literally: % and _ in a search are
 * characters, not wildcards. Kept in db/ because the escaping syntax is the dialect's.
 */
export function containsText(column: SQLWrapper, text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`${column} LIKE ${pattern} ESCAPE '\\'`;
}

/**
 * Attendees whose name or (normalized) email contains `text`. Three characters or more go through the FTS5
 * trigram index (migration 0002), which keeps a 100,000-attendee roster search fast; shorter
 * text falls back to a scan, since trigrams need three characters.
 */
export function attendeeTextMatch(text: string): SQL {
  if ([...text].length < 3) return sql`(${containsText(attendees.name, text)} OR ${containsText(attendees.emailNormalized, text.toLowerCase())})`;
  const phrase = `"${text.replace(/"/g, '""')}"`;
  return sql`${attendees}.rowid IN (SELECT rowid FROM attendees_search WHERE attendees_search MATCH ${phrase})`;
}
