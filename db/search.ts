import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

/**
 * Case-insensitive "contains" that treats the user's text literally: % and _ in a search are
 * characters, not wildcards. Kept in db/ because the escaping syntax is the dialect's.
 */
export function containsText(column: SQLWrapper, text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`${column} LIKE ${pattern} ESCAPE '\\'`;
}
