import "server-only";
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { dialect } from "./dialect";

/**
 * A JSON object built in SQL from columns, as the dialect spells it (SQLite's json_object gives
 * JSON text, PostgreSQL's jsonb_build_object a jsonb value); read through a JSON column's decoder
 * either is an object. Keys are code's own names, written as literals (PostgreSQL can't type a
 * bound parameter in a variadic function). Values that are JSON documents themselves go through
 * `jsonValue` so they nest as JSON rather than as strings.
 */
export function jsonObject(entries: Record<string, SQLWrapper>): SQL<Record<string, unknown>> {
  const pairs = Object.entries(entries).map(([key, value]) => {
    if (!/^\w+$/.test(key)) throw new Error(`jsonObject: key ${JSON.stringify(key)} must be a plain name`);
    return sql`${sql.raw(`'${key}'`)}, ${value}`;
  });
  const fn = sql.raw(dialect === "postgres" ? "jsonb_build_object" : "json_object");
  return sql<Record<string, unknown>>`${fn}(${sql.join(pairs, sql`, `)})`;
}

/** A JSON column read as JSON (not as a string) inside `jsonObject`: jsonb already is. */
export function jsonValue(column: SQLWrapper): SQL {
  return dialect === "postgres" ? sql`${column}` : sql`json(${column})`;
}
