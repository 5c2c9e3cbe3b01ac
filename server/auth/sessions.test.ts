import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { sessions, type User } from "@/db/schema";
import { sha256 } from "@/server/ids";
import { browserContext, freshDb, makeUser } from "@/server/testing/support";
import { createCaller } from "@/server/router";
import { authenticateCookie, authenticateRequest } from "./caller";
import {
  createApiSession,
  createBrowserSession,
  findLiveApiSession,
  findLiveBrowserSession,
  listLiveSessions,
  revokeOtherSessions,
  revokeOwnSession,
  revokeSession,
  rotateRefreshToken,
  SESSION_LIFETIMES,
  TOUCH_INTERVAL_MS,
} from "./sessions";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.UTC(2030, 0, 1);
const info = { device: "Firefox on Linux", ip: "198.51.100.4" };

let db: AppDb;
let alice: User;
let bob: User;

beforeEach(async () => {
  db = await freshDb();
  alice = await makeUser(db, { name: "Alice" });
  bob = await makeUser(db, { name: "Bob" });
});

const row = async (id: string) => (await db.select().from(sessions).where(eq(sessions.id, id)).limit(1))[0]!;
const cookieHeaders = (secret: string) => new Headers({ cookie: `other=1; admit.session=${encodeURIComponent(secret)}; x=y` });

describe("the whitelist row", () => {
  it("stores only the SHA-256 of a 256-bit browser secret, with fixed lifetimes (browser 7 days idle, API 14; both 30 absolute)", async () => {
    const { session, secret } = await createBrowserSession(db, alice.id, info, T0);
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    const stored = await row(session.id);
    expect(stored.secretHash).toBe(sha256(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored).toMatchObject({ kind: "browser", userId: alice.id, device: info.device, ip: info.ip, createdAt: T0, lastUsedAt: T0, revokedAt: null });
    expect(stored.idleExpiresAt - T0).toBe(7 * DAY);
    expect(stored.absoluteExpiresAt - T0).toBe(30 * DAY);
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const api = (await createApiSession(db, alice.id, ["orders:read"], { device: "scanner", ip: "::1" }, T0)).session;
    expect((await row(api.id)).idleExpiresAt - T0).toBe(14 * DAY);
    expect((await row(api.id)).absoluteExpiresAt - T0).toBe(30 * DAY);
  });

  it("cleans control characters out of device labels and caps their length", async () => {
    const { session } = await createBrowserSession(db, alice.id, { device: "evil\r\nSet-Cookie: x\u0000" + "y".repeat(500), ip: "1.2.3.4" }, T0);
    expect((await row(session.id)).device).not.toMatch(/[\u0000-\u001f]/);
    expect((await row(session.id)).device.length).toBeLessThanOrEqual(200);
  });

  it("finds a live browser session by its cookie, and nothing by a wrong or empty one", async () => {
    const { session, secret } = await createBrowserSession(db, alice.id, info);
    const auth = await authenticateRequest(db, cookieHeaders(secret));
    expect(auth.kind).toBe("caller");
    if (auth.kind === "caller") {
      expect(auth.caller.sessionId).toBe(session.id);
      expect(auth.caller.user.id).toBe(alice.id);
      expect(auth.caller.via).toBe("cookie");
    }
    for (const bad of ["", "x", secret.slice(0, -1), secret + "x", sha256(secret), "a".repeat(5000)]) {
      expect(await findLiveBrowserSession(db, bad)).toBeUndefined();
      expect((await authenticateRequest(db, cookieHeaders(bad))).kind).toBe("anonymous");
    }
  });

  it("an API session is never accepted as a browser cookie, nor a browser session as an API sid", async () => {
    const api = (await createApiSession(db, alice.id, ["orders:read"], info)).session;
    const browser = (await createBrowserSession(db, alice.id, info)).session;
    expect(await findLiveApiSession(db, browser.id, alice.id)).toBeUndefined();
    expect(await findLiveApiSession(db, api.id, alice.id)).toBeDefined();
    expect(await findLiveApiSession(db, api.id, bob.id)).toBeUndefined();
  });
});

describe("revocation", () => {
  it("a revoked browser session is dead on its next request", async () => {
    const { session, secret } = await createBrowserSession(db, alice.id, info);
    const caller = createCaller(await contextFor(secret));
    expect(await caller.devices.list()).toHaveLength(1);

    expect(await revokeSession(db, session.id, "test")).toBe(true);
    expect(await revokeSession(db, session.id, "again")).toBe(false); // the first reason sticks
    expect((await row(session.id)).revokedReason).toBe("test");

    expect(await findLiveBrowserSession(db, secret)).toBeUndefined();
    expect((await authenticateCookie(db, secret)).kind).toBe("invalid");
    const after = createCaller(await contextFor(secret));
    await expect(after.devices.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await after.auth.me()).toBeNull();
  });

  it("revokeOwnSession revokes one's own session but can't touch another user's", async () => {
    const mine = (await createBrowserSession(db, alice.id, info)).session;
    const theirs = (await createBrowserSession(db, bob.id, info)).session;
    expect(await revokeOwnSession(db, alice.id, theirs.id)).toBe(false);
    expect((await row(theirs.id)).revokedAt).toBeNull();
    expect(await revokeOwnSession(db, alice.id, "no-such-session")).toBe(false);
    expect(await revokeOwnSession(db, alice.id, mine.id)).toBe(true);
    expect((await row(mine.id)).revokedAt).not.toBeNull();
    expect(await revokeOwnSession(db, alice.id, mine.id)).toBe(false);
  });

  it("devices.revoke on another user's session id is NOT_FOUND and leaves it live", async () => {
    const theirs = await createBrowserSession(db, bob.id, info);
    const caller = createCaller(await browserContext(db, alice));
    const error = await caller.devices.revoke({ id: theirs.session.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("NOT_FOUND");
    expect(await findLiveBrowserSession(db, theirs.secret)).toBeDefined();
  });

  it("devices.revoke revokes one of my other devices; revokeOthers all but the current one", async () => {
    const ctx = await browserContext(db, alice);
    const caller = createCaller(ctx);
    const phone = await createBrowserSession(db, alice.id, { device: "phone", ip: "1.1.1.1" });
    const laptop = await createBrowserSession(db, alice.id, { device: "laptop", ip: "1.1.1.2" });
    const api = await createApiSession(db, alice.id, ["orders:read"], { device: "scanner", ip: "1.1.1.3" });
    const bobs = await createBrowserSession(db, bob.id, info);

    expect(await caller.devices.revoke({ id: phone.session.id })).toEqual({ revoked: true, current: false });
    expect(await findLiveBrowserSession(db, phone.secret)).toBeUndefined();
    expect(await findLiveBrowserSession(db, laptop.secret)).toBeDefined();

    expect(await caller.devices.revokeOthers()).toEqual({ revoked: 2 });
    expect(await findLiveBrowserSession(db, laptop.secret)).toBeUndefined();
    expect(await rotateRefreshToken(db, api.refreshToken)).toMatchObject({ ok: false });
    expect(await findLiveBrowserSession(db, bobs.secret)).toBeDefined();
    const list = await caller.devices.list();
    expect(list.map((d) => d.current)).toEqual([true]);
  });

  it("revokeOtherSessions keeps only the given session", async () => {
    const keep = await createBrowserSession(db, alice.id, info);
    const other = await createBrowserSession(db, alice.id, info);
    expect(await revokeOtherSessions(db, alice.id, keep.session.id, "test")).toBe(1);
    expect(await findLiveBrowserSession(db, keep.secret)).toBeDefined();
    expect(await findLiveBrowserSession(db, other.secret)).toBeUndefined();
  });
});

describe("expiry", () => {
  it("a browser session dies after 7 idle days", async () => {
    const { secret } = await createBrowserSession(db, alice.id, info, T0);
    expect(await findLiveBrowserSession(db, secret, T0 + 7 * DAY - 1)).toBeDefined();
    const idle = (await createBrowserSession(db, alice.id, info, T0)).secret;
    expect(await findLiveBrowserSession(db, idle, T0 + 7 * DAY)).toBeUndefined();
    expect(await findLiveBrowserSession(db, idle, T0 + 7 * DAY + MINUTE)).toBeUndefined();
  });

  it("use extends the idle expiry, but never past the absolute 30 days", async () => {
    const { session, secret } = await createBrowserSession(db, alice.id, info, T0);
    // Used every 6 days, it never idles out...
    for (let t = T0 + 6 * DAY; t < T0 + 30 * DAY; t += 6 * DAY) expect(await findLiveBrowserSession(db, secret, t), `day ${(t - T0) / DAY}`).toBeDefined();
    expect((await row(session.id)).idleExpiresAt).toBe(T0 + 30 * DAY);
    // ...but at 30 days it is dead however active it was.
    expect(await findLiveBrowserSession(db, secret, T0 + 30 * DAY - 1)).toBeDefined();
    expect(await findLiveBrowserSession(db, secret, T0 + 30 * DAY)).toBeUndefined();
    expect(await listLiveSessions(db, alice.id, null, T0 + 30 * DAY)).toEqual([]);
  });

  it("writes last_used_at at most every few minutes", async () => {
    const { session, secret } = await createBrowserSession(db, alice.id, info, T0);
    await findLiveBrowserSession(db, secret, T0 + MINUTE);
    expect((await row(session.id)).lastUsedAt).toBe(T0);
    await findLiveBrowserSession(db, secret, T0 + TOUCH_INTERVAL_MS + MINUTE);
    expect((await row(session.id)).lastUsedAt).toBe(T0 + TOUCH_INTERVAL_MS + MINUTE);
    expect((await row(session.id)).idleExpiresAt).toBe(T0 + TOUCH_INTERVAL_MS + MINUTE + SESSION_LIFETIMES.browser.idleMs);
  });

  it("an API session's refresh token dies after 14 idle days and 30 absolute days", async () => {
    const idle = await createApiSession(db, alice.id, ["orders:read"], info, T0);
    expect(await rotateRefreshToken(db, idle.refreshToken, T0 + 14 * DAY)).toMatchObject({ ok: false, reason: "expired" });
    expect(await findLiveApiSession(db, idle.session.id, alice.id, T0 + 14 * DAY)).toBeUndefined();

    const active = await createApiSession(db, alice.id, ["orders:read"], info, T0);
    let token = active.refreshToken;
    for (let t = T0 + 13 * DAY; t < T0 + 30 * DAY; t += 13 * DAY) {
      const outcome = await rotateRefreshToken(db, token, t);
      expect(outcome.ok, `day ${(t - T0) / DAY}`).toBe(true);
      if (outcome.ok) token = outcome.refreshToken;
    }
    expect(await rotateRefreshToken(db, token, T0 + 30 * DAY)).toMatchObject({ ok: false, reason: "expired" });
    expect(await findLiveApiSession(db, active.session.id, alice.id, T0 + 30 * DAY)).toBeUndefined();
  });
});

describe("the Devices list", () => {
  it("lists only the user's live sessions, newest use first, marking the current one, and never a secret or hash", async () => {
    const current = await createBrowserSession(db, alice.id, { device: "this laptop", ip: "10.0.0.1" }, T0);
    const api = await createApiSession(db, alice.id, ["checkin:write"], { device: "Door scanner", ip: "10.0.0.2" }, T0 + MINUTE);
    const revoked = await createBrowserSession(db, alice.id, info, T0);
    await revokeSession(db, revoked.session.id, "test", T0);
    await createBrowserSession(db, bob.id, info, T0);
    const expired = await createBrowserSession(db, alice.id, info, T0 - 8 * DAY);

    const list = await listLiveSessions(db, alice.id, current.session.id, T0 + 2 * MINUTE);
    expect(list.map((d) => d.id)).toEqual([api.session.id, current.session.id]);
    expect(list[0]).toEqual({
      id: api.session.id,
      kind: "api",
      device: "Door scanner",
      label: "Door scanner",
      ip: "10.0.0.2",
      createdAt: T0 + MINUTE,
      lastUsedAt: T0 + MINUTE,
      scopes: ["checkin:write"],
      current: false,
    });
    expect(list[1].current).toBe(true);
    for (const device of list) expect(Object.keys(device).sort()).toEqual(["createdAt", "current", "device", "id", "ip", "kind", "label", "lastUsedAt", "scopes"]);
    const text = JSON.stringify(list);
    for (const secret of [current.secret, api.refreshToken, sha256(current.secret), sha256(api.refreshToken), expired.secret]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/hash/i);
  });

  it("devices.list through tRPC shows the same, without hashes", async () => {
    const ctx = await browserContext(db, alice);
    await createApiSession(db, alice.id, ["orders:read"], { device: "scanner", ip: "10.0.0.2" });
    const list = await createCaller(ctx).devices.list();
    expect(list).toHaveLength(2);
    const stored = await db.select({ h: sessions.secretHash }).from(sessions);
    for (const { h } of stored) if (h) expect(JSON.stringify(list)).not.toContain(h);
    expect(list.filter((d) => d.current)).toHaveLength(1);
  });
});

async function contextFor(secret: string) {
  const { createContextFromRequest } = await import("@/server/trpc");
  return createContextFromRequest(db, new Request("http://localhost/api/trpc/x", { headers: cookieHeaders(secret) }));
}
