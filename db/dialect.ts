import "server-only";
/**
 * Which database the process runs on, from DATABASE_URL: `postgres://…` (or `postgresql://…`)
 * is PostgreSQL, anything else SQLite. One process serves one database, so this is decided once,
 * when the schema module loads (db/schema/index.ts) and everything in db/ asks it.
 */
export type Dialect = "sqlite" | "postgres";

export function dialectOf(url: string | undefined): Dialect {
  return /^postgres(ql)?:\/\//i.test(url ?? "") ? "postgres" : "sqlite";
}

export const dialect: Dialect = dialectOf(process.env.DATABASE_URL);
