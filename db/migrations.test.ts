import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { describe, expect, it } from "vitest";
import { sha256 } from "@/server/ids";

/** The migrations folder as it was before `tag` (journal cut there), for upgrading an old database. */
function migrationsBefore(tag: string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "admit-migrations-")), "migrations");
  cpSync(path.resolve("db/migrations/sqlite"), dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
  const cut = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(cut).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  return dir;
}

describe("migration 0006: door codes and ticket settings", () => {
  it("gives every existing ticket its own door code, and keeps published events from being deleted as drafts", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "admit-upgrade-")), "old.db");
    // SQLite's own migrations on a connection of their own, whichever dialect the suite runs on.
    const raw = new Database(file);
    const db = drizzle(raw);
    migrate(db, { migrationsFolder: migrationsBefore("0006_door_codes_and_ticket_settings") });
    raw.prepare("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ('u1', 'a@example.test', 'A', 'x', 1)").run();
    raw.prepare("INSERT INTO events (id, slug, name, venue, starts_at, ends_at, time_zone, published, created_at) VALUES ('e1', 'e1', 'Old Conf', 'Hall', 1, 2, 'UTC', 1, 7), ('e2', 'e2', 'Old Draft', 'Hall', 1, 2, 'UTC', 0, 8)").run();
    raw.prepare("INSERT INTO ticket_types (id, event_id, name, quantity, sold, created_at) VALUES ('t1', 'e1', 'General', 500, 300, 1)").run();
    raw.prepare("INSERT INTO orders (id, event_id, buyer_id, buyer_name, buyer_email, total_cents, created_at) VALUES ('o1', 'e1', 'u1', 'A', 'a@example.test', 0, 1)").run();
    const insert = raw.prepare("INSERT INTO attendees (id, order_id, event_id, ticket_type_id, name, email, email_normalized, checkin_secret, created_at) VALUES (?, 'o1', 'e1', 't1', 'Guest', 'g@example.test', 'g@example.test', ?, 1)");
    raw.transaction(() => {
      for (let i = 0; i < 300; i++) insert.run(`a${i}`, `secret-${i}`);
    })();

    migrate(db, { migrationsFolder: path.resolve("db/migrations/sqlite") });
    const codes = (raw.prepare("SELECT door_code AS code FROM attendees").all() as Array<{ code: string }>).map((row) => row.code);
    expect(codes).toHaveLength(300);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(new Set(codes).size).toBe(300);
    expect(raw.prepare("SELECT id, first_published_at AS firstPublishedAt FROM events ORDER BY id").all()).toEqual([
      { id: "e1", firstPublishedAt: 7 },
      { id: "e2", firstPublishedAt: null },
    ]);
    expect(raw.prepare("SELECT description, hidden, max_per_order AS maxPerOrder FROM ticket_types").get()).toEqual({ description: "", hidden: 0, maxPerOrder: null });
    raw.close();
  });
});

describe("migration 0007: email links, passwordless accounts, team invitations", () => {
  // password_hash becomes nullable. The usual SQLite table rebuild would run inside the migrator's
  // transaction, where foreign keys stay on, and cascade into every session and team membership.
  it("keeps every account, session, team membership and order, and moves pending confirmation links over", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "admit-upgrade-")), "old.db");
    // SQLite's own migrations on a connection of their own, whichever dialect the suite runs on.
    const s = new Database(file);
    s.pragma("foreign_keys = ON");
    migrate(drizzle(s), { migrationsFolder: migrationsBefore("0007_email_links_and_invitations") });
    const now = Date.now();
    s.prepare("insert into users (id, email, name, password_hash, role, email_verified_at, created_at) values (?, ?, ?, ?, 'user', ?, ?)").run("u1", "ann@example.test", "Ann", "$argon2id$x", now, now);
    s.prepare("insert into users (id, email, name, password_hash, role, email_verified_at, created_at) values (?, ?, ?, ?, 'user', null, ?)").run("u2", "ben@example.test", "Ben", "$argon2id$y", now);
    s.prepare("insert into sessions (id, user_id, kind, secret_hash, device, ip, scopes, created_at, last_used_at, idle_expires_at, absolute_expires_at) values ('s1', 'u1', 'browser', 'h', 'd', 'ip', '', ?, ?, ?, ?)").run(now, now, now + 1e9, now + 1e9);
    s.prepare("insert into events (id, slug, name, venue, starts_at, ends_at, time_zone, published, created_at) values ('e1', 'e1', 'E', 'V', ?, ?, 'UTC', 1, ?)").run(now, now, now);
    s.prepare("insert into event_members (event_id, user_id, role, created_at) values ('e1', 'u1', 'owner', ?)").run(now);
    s.prepare("insert into orders (id, event_id, buyer_id, buyer_name, buyer_email, total_cents, created_at) values ('o1', 'e1', 'u1', 'Ann', 'ann@example.test', 0, ?)").run(now);
    s.prepare("insert into email_verifications (token_hash, user_id, expires_at) values (?, 'u2', ?)").run(sha256("pending-token"), now + 3_600_000);
    s.close();

    const t = new Database(file);
    t.pragma("foreign_keys = ON");
    migrate(drizzle(t), { migrationsFolder: path.resolve("db/migrations/sqlite") });
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
    t.close();
  });
});
