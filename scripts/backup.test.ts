import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/db/admin";
import { checkIntegrity } from "@/db/backup";
import { openDb, setDb, type AppDb } from "@/db/client";
import { dialect } from "@/db/dialect";
import { attendees, orders, sessions, ticketTypes } from "@/db/schema";
import { authenticateCookie } from "@/server/auth/caller";
import { randomId } from "@/server/ids";
import { createCaller } from "@/server/router";
import type { CrashJob } from "@/server/testing/crash-child";
import { insertEvent, insertOrder } from "@/server/testing/inserts";
import { buildWorld } from "@/server/testing/world";
import { createInnerContext } from "@/server/trpc";

/**
 * `npm run db:backup` while the database is being written to, then `npm run db:restore` into a
 * fresh instance (README, "Backups"): what was committed before the backup is all there, whole,
 * and the restored instance serves it (an old browser session still signs its owner in). On
 * either dialect: SQLite's backup API and a file put in place, or pg_dump and pg_restore into a
 * new PostgreSQL database.
 */

const scratch = () => mkdtempSync(path.join(tmpdir(), "admit-backup-"));

/** An instance: its data folder and its database (DATABASE_URL's form: `file:…` or a PostgreSQL URL). */
type Instance = { dataDir: string; database: string };

/** A new instance with an empty data folder and, on PostgreSQL, a new empty database on the test cluster. */
async function freshInstance(): Promise<Instance> {
  const dataDir = scratch();
  if (dialect === "sqlite") return { dataDir, database: path.join(dataDir, "admit.db") };
  const name = `restored_${randomId(8).toLowerCase().replace(/[^a-z0-9]/g, "")}`;
  return { dataDir, database: await createPostgresDatabase(process.env.DATABASE_URL!, name) };
}

const envFor = ({ dataDir, database }: Instance): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: "test",
  DATA_DIR: dataDir,
  DATABASE_URL: dialect === "sqlite" ? `file:${database}` : database,
});

/** One of the npm scripts, as `npm run` starts it, with the instance's configuration. */
function runScript(script: string, args: string[], instance: Instance) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", env: envFor(instance) });
}

/** The same without blocking this process, so it can watch other processes meanwhile. */
function runScriptAlongside(script: string, args: string[], instance: Instance): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { env: envFor(instance) });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (out.stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (out.stderr += chunk));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, ...out })));
}

const rowCount = async (db: AppDb, table: typeof orders | typeof sessions) => (await db.select({ n: count() }).from(table))[0].n;

let stopWriter = () => {};
afterEach(() => stopWriter());

describe("backup and restore", () => {
  it("a backup taken while orders are being placed restores into a fresh instance with every earlier order and session", { timeout: 120_000 }, async () => {
    const liveDir = scratch();
    const world = await buildWorld(path.join(liveDir, "admit.db"));
    const live: Instance = { dataDir: liveDir, database: world.db.$admit.location };
    const event = await insertEvent(world.db, "Backup Conf", { ticketType: { quantity: 100_000 } });
    const buyer = await world.cookieFor("buyer");

    // A server's worth of writing: orders placed one after another until stopped.
    const job: CrashJob = { kind: "checkout", database: live.database, session: buyer.cookie, eventId: event.id, ticketTypeId: event.ticketTypeId, attendeesPerOrder: 3 };
    const writer = spawn(process.execPath, ["--import", "tsx", "server/testing/crash-child.ts", JSON.stringify(job)], { env: envFor(live) });
    stopWriter = () => writer.kill("SIGKILL");
    const placed: string[] = [];
    await new Promise<void>((resolve) =>
      writer.stdout.on("data", (chunk: Buffer) => {
        placed.push(...chunk.toString("utf8").split("\n").filter(Boolean).map((line) => line.replace("placed ", "")));
        if (placed.length >= 10) resolve();
      }),
    );
    const beforeBackup = [...placed];

    const backupFile = path.join(scratch(), "admit-backup.db");
    const backup = await runScriptAlongside("scripts/db-backup.ts", ["--to", backupFile], live);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/Backed up .* to .*admit-backup\.db/);
    const afterBackup = placed.length;
    stopWriter();
    expect(afterBackup, "the writer kept writing during the backup").toBeGreaterThan(beforeBackup.length);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);

    // A fresh instance: an empty data folder (and database), the backup restored into it.
    const fresh = await freshInstance();
    const restore = runScript("scripts/db-restore.ts", ["--from", backupFile], fresh);
    expect(restore.status, restore.stderr).toBe(0);
    const restored: AppDb = openDb(fresh.database);
    try {
      expect(await checkIntegrity(restored)).toBe("ok");

      const present = new Set((await restored.select({ id: orders.id }).from(orders).where(eq(orders.eventId, event.id))).map((o) => o.id));
      for (const id of beforeBackup) expect(present.has(id), `order ${id}`).toBe(true);
      for (const id of present) expect((await restored.select({ n: count() }).from(attendees).where(eq(attendees.orderId, id)))[0].n, `tickets of ${id}`).toBe(3);
      const [{ sold }] = await restored.select({ sold: ticketTypes.sold }).from(ticketTypes).where(eq(ticketTypes.id, event.ticketTypeId));
      expect(sold).toBe(present.size * 3);
      expect(await rowCount(restored, sessions)).toBe(await rowCount(world.db, sessions));

      // The restored instance serves it: the buyer's browser session still works, and shows the order.
      setDb(restored);
      const auth = await authenticateCookie(restored, buyer.cookie);
      expect(auth.kind).toBe("caller");
      const caller = createCaller(createInnerContext({ db: restored, auth }));
      const view = await caller.orders.get({ orderIdentifier: beforeBackup[0] });
      expect(view.attendees).toHaveLength(3);
    } finally {
      setDb(world.db);
      await restored.$admit.close();
    }
  });

  it("restored over the database it was taken from, it brings back what the backup holds and nothing written after it; then takes orders again", { timeout: 60_000 }, async () => {
    const liveDir = scratch();
    const world = await buildWorld(path.join(liveDir, "admit.db"));
    const live: Instance = { dataDir: liveDir, database: world.db.$admit.location };
    const event = await insertEvent(world.db, "Rewind Conf", { ticketType: { quantity: 100 } });
    const people = [{ name: "Ada", email: "ada@rewind.test" }];
    const kept = await insertOrder(world.db, event, world.users.buyer, people);
    const backupFile = path.join(scratch(), "rewind.backup");
    expect(runScript("scripts/db-backup.ts", ["--to", backupFile], live).status).toBe(0);
    const later = await insertOrder(world.db, event, world.users.buyer, people);

    // The server is stopped for a restore (see the next test for PostgreSQL's open pool).
    if (dialect === "sqlite") await world.db.$admit.close();
    const restore = runScript("scripts/db-restore.ts", ["--from", backupFile], live);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^Restored .*rewind\.backup/);
    const reopened = openDb(live.database);
    try {
      const ordersOf = async () => (await reopened.select({ id: orders.id }).from(orders).where(eq(orders.eventId, event.id))).map((o) => o.id);
      expect(await ordersOf()).toEqual([kept.id]);
      expect(later.id).not.toBe(kept.id);
      const again = await insertOrder(reopened, event, world.users.buyer, people);
      expect((await ordersOf()).sort()).toEqual([kept.id, again.id].sort());
      const [{ sold }] = await reopened.select({ sold: ticketTypes.sold }).from(ticketTypes).where(eq(ticketTypes.id, event.ticketTypeId));
      expect(sold).toBe(2);
    } finally {
      await reopened.$admit.close();
    }
  });

  it("backup never overwrites a file; restore refuses a damaged backup and leaves the database as it was", async () => {
    const liveDir = scratch();
    const world = await buildWorld(path.join(liveDir, "admit.db"));
    const live: Instance = { dataDir: liveDir, database: world.db.$admit.location };
    const taken = path.join(scratch(), "taken.db");
    writeFileSync(taken, "something precious");
    const refused = runScript("scripts/db-backup.ts", ["--to", taken], live);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("already exists");
    expect(readFileSync(taken, "utf8")).toBe("something precious");

    const damaged = path.join(scratch(), "damaged.db");
    writeFileSync(damaged, "not a database at all".repeat(100));
    const before = await rowCount(world.db, orders);
    // The server is stopped for a restore. (On PostgreSQL the test file's database stays open for
    // the tests after this one; a restore there runs in one transaction either way.)
    if (dialect === "sqlite") await world.db.$admit.close();
    const restore = runScript("scripts/db-restore.ts", ["--from", damaged], live);
    expect(restore.status).toBe(1);
    expect(existsSync(path.join(liveDir, "admit.db.before-restore"))).toBe(false);
    const reopened = openDb(live.database);
    try {
      expect(await rowCount(reopened, orders)).toBe(before);
    } finally {
      await reopened.$admit.close();
    }

    expect(runScript("scripts/db-backup.ts", [], live).status).toBe(2);
  });
});
