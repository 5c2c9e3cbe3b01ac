import { IN_TRANSACTION, type Db } from "./client";
import { dialect } from "./dialect";

/**
 * Whether a write failed on a UNIQUE constraint of `table.column` (drizzle may wrap the driver's
 * error as its cause). SQLite names the column in its message; PostgreSQL names the constraint,
 * which drizzle-kit calls `table_column_unique`. Kept in db/ because the shape of constraint
 * errors is the dialect's.
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  const constraint = column.replace(".", "_") + "_unique";
  for (let e = error as { code?: unknown; message?: unknown; constraint?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "SQLITE_CONSTRAINT_UNIQUE" && typeof e.message === "string" && e.message.includes(column)) return true;
    if (e.code === "23505" && e.constraint === constraint) return true;
  }
  return false;
}

/**
 * Runs a write that may fail and be retried, inside a transaction, without losing the rest of
 * it: PostgreSQL aborts a whole transaction on a failed statement unless it ran under a
 * savepoint; SQLite undoes only the failed statement by itself.
 */
export async function underSavepoint<T>(tx: Db, write: (tx: Db) => Promise<T>): Promise<T> {
  if (dialect !== "postgres" || !("transaction" in tx)) return write(tx);
  return (tx as unknown as { transaction<R>(fn: (inner: Db) => Promise<R>): Promise<R> }).transaction((inner) => {
    Object.defineProperty(inner, IN_TRANSACTION, { value: true });
    return write(inner);
  });
}
