import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { openDb, setDb, type AppDb } from "@/db/client";
import { attendees, orders, sessions, ticketTypes } from "@/db/schema";
import { authenticateCookie } from "@/server/auth/caller";
import { createCaller } from "@/server/router";
import type { CrashJob } from "@/server/testing/crash-child";
import { insertEvent } from "@/server/testing/inserts";
import { buildWorld } from "@/server/testing/world";
import { createInnerContext } from "@/server/trpc";

/**
 * `npm run db:backup` while the database is being written to, then `npm run db:restore` into a
 * fresh instance (README, "Backups"): what was committed before the backup is all there, whole,
 * and the restored instance serves it (an old browser session still signs its owner in).
 */

const scratch = () => mkdtempSync(path.join(tmpdir(), "admit-backup-"));
const envFor = (dataDir: string): NodeJS.ProcessEnv => ({ ...process.env, NODE_ENV: "test", DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, "admit.db")}` });

/** One of the npm scripts, as `npm run` starts it, with the instance's configuration. */
function runScript(script: string, args: string[], dataDir: string) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", env: envFor(dataDir) });
}

/** The same without blocking this process, so it can watch other processes meanwhile. */
function runScriptAlongside(script: string, args: string[], dataDir: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { env: envFor(dataDir) });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (out.stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (out.stderr += chunk));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, ...out })));
}

let stopWriter = () => {};
afterEach(() => stopWriter());

describe("backup and restore", () => {
  it("a backup taken while orders are being placed restores into a fresh instance with every earlier order and session", { timeout: 120_000 }, async () => {
    const live = scratch();
    const world = await buildWorld(path.join(live, "admit.db"));
    const event = insertEvent(world.db, "Backup Conf", { ticketType: { quantity: 100_000 } });
    const buyer = world.cookieFor("buyer");

    // A server's worth of writing: orders placed one after another until stopped.
    const job: CrashJob = { kind: "checkout", dbFile: path.join(live, "admit.db"), session: buyer.cookie, eventId: event.id, ticketTypeId: event.ticketTypeId, attendeesPerOrder: 3 };
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

    // A fresh instance: an empty data folder, the backup restored into it.
    const fresh = scratch();
    const restore = runScript("scripts/db-restore.ts", ["--from", backupFile], fresh);
    expect(restore.status, restore.stderr).toBe(0);
    const restored: AppDb = openDb(path.join(fresh, "admit.db"));
    expect(restored.$client.pragma("integrity_check", { simple: true })).toBe("ok");

    const present = new Set(restored.select({ id: orders.id }).from(orders).where(eq(orders.eventId, event.id)).all().map((o) => o.id));
    for (const id of beforeBackup) expect(present.has(id), `order ${id}`).toBe(true);
    for (const id of present) expect(restored.select({ n: count() }).from(attendees).where(eq(attendees.orderId, id)).get()!.n, `tickets of ${id}`).toBe(3);
    expect(restored.select({ sold: ticketTypes.sold }).from(ticketTypes).where(eq(ticketTypes.id, event.ticketTypeId)).get()!.sold).toBe(present.size * 3);
    expect(restored.select({ n: count() }).from(sessions).get()!.n).toBe(world.db.select({ n: count() }).from(sessions).get()!.n);

    // The restored instance serves it: the buyer's browser session still works, and shows the order.
    setDb(restored);
    const auth = authenticateCookie(restored, buyer.cookie);
    expect(auth.kind).toBe("caller");
    const caller = createCaller(createInnerContext({ db: restored, auth }));
    const view = await caller.orders.get({ orderIdentifier: beforeBackup[0] });
    expect(view.attendees).toHaveLength(3);
    restored.$client.close();
  });

  it("backup never overwrites a file; restore refuses a damaged backup and leaves the database as it was", async () => {
    const live = scratch();
    const world = await buildWorld(path.join(live, "admit.db"));
    const taken = path.join(scratch(), "taken.db");
    writeFileSync(taken, "something precious");
    const refused = runScript("scripts/db-backup.ts", ["--to", taken], live);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("already exists");
    expect(readFileSync(taken, "utf8")).toBe("something precious");

    const damaged = path.join(scratch(), "damaged.db");
    writeFileSync(damaged, "not a database at all".repeat(100));
    const before = world.db.select({ n: count() }).from(orders).get()!.n;
    world.db.$client.close();
    const restore = runScript("scripts/db-restore.ts", ["--from", damaged], live);
    expect(restore.status).toBe(1);
    expect(existsSync(path.join(live, "admit.db.before-restore"))).toBe(false);
    expect(openDb(path.join(live, "admit.db")).select({ n: count() }).from(orders).get()!.n).toBe(before);

    expect(runScript("scripts/db-backup.ts", [], live).status).toBe(2);
  });
});
