import "server-only";
import Database from "better-sqlite3";
import { drizzle as drizzleSync } from "drizzle-orm/better-sqlite3";
import { migrate as migrateSync } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as drizzleProxy } from "drizzle-orm/sqlite-proxy";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type { SQL } from "drizzle-orm";
import { drizzle as drizzlePostgres, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { AsyncLocalStorage } from "node:async_hooks";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { dialect, type Dialect } from "./dialect";
import { noteDatabaseError } from "./errors";
import * as schema from "./schema";
import * as pgSchema from "./schema/pg";
import { config, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../server/config";

/**
 * What domain functions take: the connection or a transaction on it, through one async
 * query-builder surface. Only the builders both dialects share may be used on it: `await`ed
 * select/insert/update/delete with `.returning()`, `.limit()`, joins and `sql` fragments; never
 * SQLite's `.get()/.all()/.run()` (server/dialect-free.test.ts holds the domain to that).
 * Transactions go through `transaction()` below; dialect-specific SQL lives in db/.
 */
export type Db = BaseSQLiteDatabase<"async", unknown, typeof schema>;

/** The app's handle on one database: the `Db` plus what opens, inspects and closes it. */
export type AppDb = Db & {
  readonly $admit: {
    dialect: Dialect;
    /** The SQLite file (or ":memory:"), or the PostgreSQL URL. */
    location: string;
    close(): Promise<void>;
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
    migrate(): Promise<void>;
    /** PostgreSQL's connection pool (long reads take a client of their own: db/batches.ts). */
    pool?: pg.Pool;
  };
};

type SqliteMethod = "run" | "all" | "values" | "get";

/**
 * better-sqlite3 is synchronous and has one connection; the domain is async. Statements of a
 * transaction must not interleave with other requests' statements on that connection, so a
 * transaction holds this gate from BEGIN to COMMIT, and statements outside it wait until it is
 * released. Statements inside it run on the transaction's own `tx`; one sent to the connection
 * itself from within the transaction would wait for ever, so it throws instead.
 */
class TransactionGate {
  private held: { owner: object; released: Promise<void> } | null = null;
  readonly context = new AsyncLocalStorage<object>();

  /**
   * Resolves once no transaction is open. Callers must act in the same synchronous step as it
   * resolves (no await in between), or another transaction may have begun meanwhile.
   */
  async outside(): Promise<void> {
    while (this.held) {
      if (this.context.getStore() === this.held.owner) {
        throw new Error("A statement on the database itself inside a transaction: use the transaction's tx");
      }
      await this.held.released;
    }
  }

  /** Waits its turn, then holds the gate until `release()`. */
  async acquire(): Promise<{ owner: object; release(): void }> {
    // Checked and taken in one synchronous step after the last wait, so two can't both get it.
    while (this.held) await this.outside();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const owner = {};
    this.held = { owner, released };
    return {
      owner,
      release: () => {
        this.held = null;
        release();
      },
    };
  }

  get open(): boolean {
    return this.held !== null;
  }
}

/**
 * Prepared statements by SQL text: drizzle hands us the same text for the same query shape, and
 * preparing costs more than running on the hot paths (every request's session check, every
 * ticket download's access check). Bounded, since `inArray` lists make texts of many lengths.
 * db/prepared.ts is the other layer (drizzle's own building of the SQL, for the hot queries);
 * this one is needed because drizzle's proxy driver passes SQL text, never a prepared statement.
 */
class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly client: Database.Database) {}

  execute(text: string, params: unknown[], method: SqliteMethod): { rows: unknown[] } {
    try {
      return this.run(text, params, method);
    } catch (error) {
      throw noteDatabaseError(error);
    }
  }

  private run(text: string, params: unknown[], method: SqliteMethod): { rows: unknown[] } {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.client.prepare(text);
      this.statements.set(text, statement);
    }
    if (method === "run" || !statement.reader) {
      statement.run(...params);
      return { rows: [] };
    }
    const raw = statement.raw(true);
    // drizzle's proxy driver wants one row's values for "get" (undefined when there is none).
    return { rows: (method === "get" ? raw.get(...params) : raw.all(...params)) as unknown[] };
  }
}

// Marks a transaction's handle. A registered symbol, not a module-level WeakSet: Next.js bundles
// this module into several chunks, and they all share one connection through globalThis.
export const IN_TRANSACTION = Symbol.for("admit.db.inTransaction");

/**
 * Runs `fn` in one transaction and returns what it returns; a throw rolls everything back.
 * Inside, every statement goes through `tx` (a statement on `db` itself is refused on SQLite).
 * On SQLite the transaction is IMMEDIATE: it takes the write lock up front, so what it reads
 * stays true until it commits; within a transaction, a nested call joins it.
 */
export async function transaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (IN_TRANSACTION in db) return fn(db);
  const opened = (db as Partial<AppDb>).$admit;
  if (!opened) throw new Error("transaction(): not a database opened by db/client.ts");
  return opened.transaction(fn);
}

/** A statement with no result rows (maintenance such as ANALYZE), whatever the dialect. */
export async function execute(db: Db, statement: SQL): Promise<void> {
  if (dialect === "postgres") await (db as unknown as NodePgDatabase).execute(statement);
  else await db.run(statement);
}

/**
 * How long a statement waits for a lock another connection holds (SQLite's write lock, a
 * PostgreSQL row, table or advisory lock) before it fails as busy: SQLite's busy_timeout,
 * PostgreSQL's lock_timeout. The HTTP layers answer that 503 with Retry-After (db/errors.ts
 * isDatabaseBusy), rather than letting requests pile up behind a migration or a stuck process.
 */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens a database: a SQLite file (created and migrated unless `migrate: false`) or a PostgreSQL
 * URL (a connection pool; migrate it with `migrateDb`, which is async). Tests open throwaway
 * ones, the app opens config's. The process's dialect is fixed by DATABASE_URL (db/dialect.ts),
 * since the schema module picks its tables by it; a location of the other dialect is refused.
 */
export function openDb(location: string, options: { migrate?: boolean; poolSize?: number; busyTimeoutMs?: number } = {}): AppDb {
  const wanted = /^postgres(ql)?:\/\//i.test(location) ? "postgres" : "sqlite";
  if (wanted !== dialect) throw new Error(`openDb: this process runs on ${dialect} (DATABASE_URL), not ${wanted}`);
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  return wanted === "postgres" ? openPostgres(location, options.poolSize, busyTimeoutMs) : openSqlite(location, { ...options, busyTimeoutMs });
}

/** Brings a database's schema up to date (idempotent; concurrent callers wait for one another). */
export async function migrateDb(db: AppDb): Promise<void> {
  await db.$admit.migrate();
}

// node-postgres returns bigint (int8) as a string to be safe beyond 2^53; every bigint here is a
// count, an id or a millisecond timestamp, far below that, and the domain works in numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

function openPostgres(url: string, poolSize: number | undefined, busyTimeoutMs: number): AppDb {
  // allowExitOnIdle: a script (seed, migrate) ends when its work is done, not 30 s later.
  // A request that can't get a connection in 10 s fails (busy: a 503) rather than waiting for ever.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    lock_timeout: busyTimeoutMs,
  });
  // An idle client that loses its server (a restart, a failover) must not crash the process.
  pool.on("error", (error) => console.error("[db] idle PostgreSQL connection failed:", error.message));
  // Nor one checked out (a transaction's): the pool listens only to idle clients, and an error
  // event nobody listens to is thrown. The statement under way fails with the same error (busy:
  // a 503, db/errors.ts), and the pool drops the client when it is released.
  pool.on("connect", (client) => client.on("error", () => {}));
  // As on SQLite: a statement on the pool itself from inside a transaction is a bug (it would run
  // outside the transaction, on another connection), so it throws. Transactions run on a client
  // of their own (pool.connect), which this doesn't touch.
  const inTransaction = new AsyncLocalStorage<true>();
  const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => {
    if (inTransaction.getStore()) throw new Error("A statement on the database itself inside a transaction: use the transaction's tx");
    const result = poolQuery(...args);
    return result instanceof Promise ? result.catch((error) => Promise.reject(noteDatabaseError(error))) : result;
  }) as typeof pool.query;
  const root = drizzlePostgres(pool, { schema: pgSchema });
  return Object.assign(root as unknown as Db, {
    $admit: {
      dialect: "postgres" as const,
      location: url,
      close: () => pool.end(),
      transaction: <T>(fn: (tx: Db) => Promise<T>): Promise<T> =>
        root
          .transaction((tx) => {
            Object.defineProperty(tx, IN_TRANSACTION, { value: true });
            return inTransaction.run(true, () => fn(tx as unknown as Db));
          })
          .catch((error) => Promise.reject(noteDatabaseError(error))),
      migrate: async () => {
        // One migrator at a time across processes and instances: all of them migrate at start.
        const client = await pool.connect();
        try {
          // Not busy after BUSY_TIMEOUT_MS like a request: an instance starting while another
          // migrates waits for it, and a migration waits for the locks its DDL needs.
          await client.query("SET lock_timeout = 0");
          await client.query("SELECT pg_advisory_lock(727411)");
          await migratePostgres(drizzlePostgres(client), { migrationsFolder: migrationsFolder("postgres") });
        } finally {
          await client.query("SELECT pg_advisory_unlock(727411)").catch(() => {});
          await client.query("RESET lock_timeout").catch(() => {});
          client.release();
        }
      },
      pool,
    },
  }) as AppDb;
}

function openSqlite(file: string, options: { migrate?: boolean; busyTimeoutMs: number }): AppDb {
  if (file !== ":memory:") createPrivately(file);
  const client = new Database(file);
  client.pragma("journal_mode = WAL");
  client.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
  client.pragma("foreign_keys = ON");
  client.pragma("synchronous = NORMAL");
  const migrate = () => migrateSync(drizzleSync(client), { migrationsFolder: migrationsFolder("sqlite") });
  if (options.migrate ?? true) migrate();

  const statements = new StatementCache(client);
  const gate = new TransactionGate();
  const root = drizzleProxy(
    async (text, params, method) => {
      // Re-checked after every wait, and run in the same step: see TransactionGate.outside.
      while (gate.open) await gate.outside();
      return statements.execute(text, params, method);
    },
    { schema },
  ) as unknown as Db;
  let txOwner: object | null = null;
  const tx = drizzleProxy(
    async (text, params, method) => {
      if (!txOwner || gate.context.getStore() !== txOwner) throw new Error("A transaction's tx used outside its transaction");
      return statements.execute(text, params, method);
    },
    { schema },
  ) as unknown as Db;
  Object.defineProperty(tx, IN_TRANSACTION, { value: true });

  const runTransaction = async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
    const held = await gate.acquire();
    try {
      client.exec("BEGIN IMMEDIATE");
      txOwner = held.owner;
      const result = await gate.context.run(held.owner, () => fn(tx));
      client.exec("COMMIT");
      return result;
    } catch (error) {
      if (client.inTransaction) client.exec("ROLLBACK");
      throw noteDatabaseError(error);
    } finally {
      txOwner = null;
      held.release();
    }
  };

  return Object.assign(root, {
    $admit: {
      dialect: "sqlite" as const,
      location: file === ":memory:" ? file : client.name,
      close: async () => {
        await gate.outside();
        client.close();
      },
      transaction: runTransaction,
      migrate: async () => migrate(),
    },
  });
}

/**
 * The database file is created 0600 before SQLite opens it, and SQLite gives its -wal and -shm
 * files the database file's mode; one made by an older version is tightened.
 */
function createPrivately(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(each)) chmodSync(each, PRIVATE_FILE_MODE);
  }
}

function migrationsFolder(of: Dialect): string {
  // Next.js bundles server code, so the module's own URL points into .next/; every entry point
  // (next start, scripts, vitest) runs from the project root.
  return path.resolve("db/migrations", of === "postgres" ? "pg" : "sqlite");
}

const globalForDb = globalThis as unknown as { admitDb?: AppDb };

/** The app's one connection, shared by route handlers, tRPC and server components. */
export function db(): AppDb {
  globalForDb.admitDb ??= openDb(config().database);
  return globalForDb.admitDb;
}

/** Tests swap in their own database. */
export function setDb(instance: AppDb | undefined) {
  globalForDb.admitDb = instance;
}

/** A read-only connection of its own to a SQLite database, for long reads (db/batches.ts). */
export function openReadOnlyClient(db: AppDb): Database.Database {
  const client = new Database(db.$admit.location, { readonly: true, fileMustExist: true });
  client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return client;
}
