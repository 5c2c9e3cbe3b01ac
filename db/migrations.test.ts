import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { describe, expect, it } from "vitest";
import { sha256 } from "@/server/ids";

/**
 * Migrations run against databases with data in them. 0006 rebuilds `users` (password_hash becomes
 * nullable) inside the migrator's transaction, where foreign keys stay on: done the usual way, it
 * would cascade into every session and team membership. This runs it on a database at 0005.
 */

const MIGRATIONS = path.resolve("db/migrations");

/** A copy of the migrations folder holding only the first `count` migrations. */
function migrationsUpTo(count: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "admit-migrations-"));
  mkdirSync(path.join(dir, "meta"));
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, "meta/_journal.json"), "utf8")) as { entries: Array<{ idx: number; tag: string }> };
  const kept = journal.entries.filter((e) => e.idx < count);
  writeFileSync(path.join(dir, "meta/_journal.json"), JSON.stringify({ ...journal, entries: kept }));
  for (const entry of kept) copyFileSync(path.join(MIGRATIONS, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
  return dir;
}

function open(file: string) {
  const sqlite = new Database(file);
  sqlite.pragma("foreign_keys = ON");
  return { sqlite, db: drizzle(sqlite) };
}

describe("migration 0006 (email links, passwordless accounts)", () => {
  it("keeps every account, session, team membership and order, and moves pending confirmation links over", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "admit-0006-")), "db.sqlite");
    const before = open(file);
    migrate(before.db, { migrationsFolder: migrationsUpTo(6) });
    const now = Date.now();
    const s = before.sqlite;
    s.prepare("insert into users (id, email, name, password_hash, role, email_verified_at, created_at) values (?, ?, ?, ?, 'user', ?, ?)").run("u1", "ann@example.test", "Ann", "$argon2id$x", now, now);
    s.prepare("insert into users (id, email, name, password_hash, role, email_verified_at, created_at) values (?, ?, ?, ?, 'user', null, ?)").run("u2", "ben@example.test", "Ben", "$argon2id$y", now);
    s.prepare("insert into sessions (id, user_id, kind, secret_hash, device, ip, scopes, created_at, last_used_at, idle_expires_at, absolute_expires_at) values ('s1', 'u1', 'browser', 'h', 'd', 'ip', '', ?, ?, ?, ?)").run(now, now, now + 1e9, now + 1e9);
    s.prepare("insert into events (id, slug, name, venue, starts_at, ends_at, time_zone, published, created_at) values ('e1', 'e1', 'E', 'V', ?, ?, 'UTC', 1, ?)").run(now, now, now);
    s.prepare("insert into event_members (event_id, user_id, role, created_at) values ('e1', 'u1', 'owner', ?)").run(now);
    s.prepare("insert into orders (id, event_id, buyer_id, buyer_name, buyer_email, total_cents, created_at) values ('o1', 'e1', 'u1', 'Ann', 'ann@example.test', 0, ?)").run(now);
    s.prepare("insert into email_verifications (token_hash, user_id, expires_at) values (?, 'u2', ?)").run(sha256("pending-token"), now + 3_600_000);
    before.sqlite.close();

    const after = open(file);
    migrate(after.db, { migrationsFolder: MIGRATIONS });
    const t = after.sqlite;
    const count = (table: string) => (t.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    expect([count("users"), count("sessions"), count("event_members"), count("orders")]).toEqual([2, 1, 1, 1]);
    expect(t.prepare("select password_hash from users where id = 'u1'").get()).toEqual({ password_hash: "$argon2id$x" });
    // Other tables still point at `users`, and every reference holds.
    expect(t.prepare("select sql from sqlite_master where name = 'sessions'").get()).toMatchObject({ sql: expect.stringContaining("REFERENCES `users`") });
    expect(t.pragma("foreign_key_check")).toEqual([]);
    // Passwordless accounts fit now; the email stays unique.
    t.prepare("insert into users (id, email, name, password_hash, role, created_at) values ('u3', 'cy@example.test', 'Cy', null, 'user', ?)").run(now);
    expect(() => t.prepare("insert into users (id, email, name, role, created_at) values ('u4', 'cy@example.test', 'Cy', 'user', ?)").run(now)).toThrow(/UNIQUE/);
    expect(t.prepare("select purpose, email, used_at from email_links where token_hash = ?").get(sha256("pending-token"))).toEqual({ purpose: "verify", email: "ben@example.test", used_at: null });
    expect(t.prepare("select buyer_must_prove_email from orders").get()).toEqual({ buyer_must_prove_email: 0 });
    after.sqlite.close();
  });
});
