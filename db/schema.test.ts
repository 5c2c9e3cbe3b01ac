import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { is } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as pg from "./schema/pg";
import * as sqlite from "./schema/sqlite";

/**
 * The two schema files describe one schema (db/schema/index.ts hands the domain either under one
 * set of types), so they must not drift: same tables under the same export names, same columns
 * with the same SQL names, nullability, keys, defaults and kinds of values, same indexes and
 * foreign keys. Only how each dialect stores a kind differs, and that is listed here.
 */
const KIND_BY_SQLITE_TYPE: Record<string, string> = { SQLiteText: "text", SQLiteInteger: "integer", SQLiteBoolean: "boolean", SQLiteTextJson: "json" };
const KIND_BY_PG_TYPE: Record<string, string> = { PgText: "text", PgInteger: "integer", PgBigInt53: "integer", PgBoolean: "boolean", PgJsonb: "json" };

type Shape = {
  name: string;
  columns: Record<string, { kind: string; notNull: boolean; primary: boolean; unique: boolean; hasDefault: boolean; enum?: readonly string[] }>;
  primaryKeys: string[][];
  indexes: string[];
  foreignKeys: string[];
};

function shapeOf(config: ReturnType<typeof sqliteTableConfig> | ReturnType<typeof pgTableConfig>, kinds: Record<string, string>): Shape {
  const columns: Shape["columns"] = {};
  for (const column of config.columns) {
    columns[column.name] = {
      kind: kinds[column.columnType] ?? `unmapped ${column.columnType}`,
      notNull: column.notNull,
      primary: column.primary,
      unique: column.isUnique,
      hasDefault: column.hasDefault,
      enum: column.enumValues?.length ? column.enumValues : undefined,
    };
  }
  return {
    name: config.name,
    columns,
    primaryKeys: config.primaryKeys.map((key) => key.columns.map((c) => c.name)),
    indexes: config.indexes.map((index) => index.config.name ?? "(unnamed)").sort(),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return `${ref.columns.map((c) => c.name).join(",")} -> ${ref.foreignColumns.map((c) => c.name).join(",")} on delete ${fk.onDelete ?? "no action"}`;
      })
      .sort(),
  };
}

const sqliteTables = Object.entries(sqlite).filter(([, value]) => is(value, SQLiteTable)) as [string, SQLiteTable][];
const pgTables = Object.entries(pg).filter(([, value]) => is(value, PgTable)) as [string, PgTable][];

// Indexes only PostgreSQL has: its roster search (SQLite's is the FTS5 table of migration 0002).
const PG_ONLY_INDEXES = ["attendees_email_trgm_idx", "attendees_name_trgm_idx"];

describe("the SQLite and PostgreSQL schemas", () => {
  it("export the same tables", () => {
    expect(pgTables.map(([name]) => name).sort()).toEqual(sqliteTables.map(([name]) => name).sort());
    expect(sqliteTables.length).toBeGreaterThan(10);
  });

  it.each(sqliteTables.map(([name]) => name))("define %s alike", (name) => {
    const lite = shapeOf(sqliteTableConfig(sqlite[name as keyof typeof sqlite] as SQLiteTable), KIND_BY_SQLITE_TYPE);
    const post = shapeOf(pgTableConfig(pg[name as keyof typeof pg] as PgTable), KIND_BY_PG_TYPE);
    post.indexes = post.indexes.filter((index) => !PG_ONLY_INDEXES.includes(index));
    expect(post).toEqual(lite);
  });
});
