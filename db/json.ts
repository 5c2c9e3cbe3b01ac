import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

/**
 * A JSON object built in SQL from columns, as the dialect spells it. Values that are JSON
 * documents themselves go through `jsonValue` so they nest as JSON rather than as strings.
 */
export function jsonObject(entries: Record<string, SQLWrapper>): SQL<string> {
  const pairs = Object.entries(entries).map(([key, value]) => sql`${key}, ${value}`);
  return sql<string>`json_object(${sql.join(pairs, sql`, `)})`;
}

/** A column holding a JSON document, read as JSON (not as a string) inside `jsonObject`. */
export function jsonValue(column: SQLWrapper): SQL {
  return sql`json(${column})`;
}
