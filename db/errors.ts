/**
 * Whether a write failed on a UNIQUE constraint of `table.column` (SQLite names it so in the
 * message; drizzle may wrap the driver's error as its cause). Kept in db/ because the shape of
 * constraint errors is the dialect's.
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "SQLITE_CONSTRAINT_UNIQUE" && typeof e.message === "string" && e.message.includes(column)) return true;
  }
  return false;
}
