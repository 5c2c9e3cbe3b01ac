import "server-only";
import { and, desc, eq, gt, gte, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { prepared } from "@/db/prepared";
import { refreshTokens, sessions, users, type Session, type User } from "@/db/schema";
import { randomId, randomSecret, sha256 } from "@/server/ids";
import { deviceLabel } from "./new-device";
import { BROWSER_SCOPES, parseScopes, type Scope } from "./scopes";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const SESSION_LIFETIMES = {
  browser: { idleMs: 7 * DAY, absoluteMs: 30 * DAY },
  api: { idleMs: 14 * DAY, absoluteMs: 30 * DAY },
};
/** last_used_at is written at most this often, so reads stay cheap. */
export const TOUCH_INTERVAL_MS = 5 * MINUTE;

export type SessionUser = Pick<User, "id" | "email" | "name" | "role"> & { emailVerified: boolean };
export type LiveSession = { session: Session; user: SessionUser };

export type DeviceInfo = { device: string; ip: string };

function truncateDevice(device: string): string {
  const trimmed = device.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  return (trimmed || "Unknown device").slice(0, 200);
}

async function insertSession(db: Db, userId: string, kind: Session["kind"], scopes: Scope[], info: DeviceInfo, secretHash: string | null, now: number): Promise<Session> {
  const life = SESSION_LIFETIMES[kind];
  const row = {
    id: randomId(),
    userId,
    kind,
    secretHash,
    device: truncateDevice(info.device),
    ip: info.ip.slice(0, 64),
    scopes: scopes.join(" "),
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: now + life.idleMs,
    absoluteExpiresAt: now + life.absoluteMs,
    revokedAt: null,
    revokedReason: null,
  } satisfies Session;
  await db.insert(sessions).values(row);
  return row;
}

/** Creates a browser session; the returned secret goes into the cookie and is never stored. */
export async function createBrowserSession(db: Db, userId: string, info: DeviceInfo, now = Date.now()) {
  const secret = randomSecret();
  const session = await insertSession(db, userId, "browser", BROWSER_SCOPES, info, sha256(secret), now);
  return { session, secret };
}

/**
 * Signs a browser in: the session it already had (if any, whoever's it was) is revoked, and a new
 * one is created. Password sign-in (server/auth/nextauth.ts), registration and email links all go
 * through here; the returned secret becomes the cookie.
 */
export async function replaceBrowserSession(db: Db, previousSessionId: string | null, userId: string, info: DeviceInfo, now = Date.now()) {
  if (previousSessionId) await revokeSession(db, previousSessionId, "replaced_by_sign_in", now);
  return createBrowserSession(db, userId, info, now);
}

/** Creates an API session and its first refresh token. */
export function createApiSession(db: Db, userId: string, scopes: Scope[], info: DeviceInfo, now = Date.now()) {
  return transaction(db, async (tx) => {
    const session = await insertSession(tx, userId, "api", scopes, info, null, now);
    const refreshToken = await issueRefreshToken(tx, session.id, now);
    return { session, refreshToken };
  });
}

export async function issueRefreshToken(db: Db, sessionId: string, now = Date.now()): Promise<string> {
  const token = randomSecret();
  await db.insert(refreshTokens).values({ tokenHash: sha256(token), sessionId, createdAt: now, usedAt: null });
  return token;
}

/** Whether the user signed in from `ip` (a session created from it) since `since`; see server/rate-limit.ts. */
export async function hasSignedInFrom(db: Db, userId: string, ip: string, since: number): Promise<boolean> {
  const [row] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.ip, ip.slice(0, 64)), gte(sessions.createdAt, since)))
    .limit(1);
  return row !== undefined;
}

export function isLive(session: Session, now = Date.now()): boolean {
  return session.revokedAt === null && session.idleExpiresAt > now && session.absoluteExpiresAt > now;
}

function sessionWithUserBy(column: typeof sessions.secretHash | typeof sessions.id) {
  return (db: Db) =>
    db
      .select({ session: sessions, user: { id: users.id, email: users.email, name: users.name, role: users.role, emailVerifiedAt: users.emailVerifiedAt } })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      // Both keys are unique: no LIMIT, which SQLite would compile again on every run (db/prepared.ts).
      .where(eq(column, sql.placeholder("key")));
}
const bySecretHash = sessionWithUserBy(sessions.secretHash);
const byId = sessionWithUserBy(sessions.id);

async function loadWithUser(db: Db, lookup: "secretHash" | "id", key: string): Promise<LiveSession | undefined> {
  const statement = lookup === "secretHash" ? prepared(db, "session-by-secret-hash", bySecretHash) : prepared(db, "session-by-id", byId);
  const [row] = await statement.execute({ key });
  if (!row) return undefined;
  const { emailVerifiedAt, ...user } = row.user;
  return { session: row.session, user: { ...user, emailVerified: emailVerifiedAt !== null } };
}

/** Marks the session used; extends its idle expiry (never past the absolute one). */
async function touch(db: Db, session: Session, now: number) {
  if (now - session.lastUsedAt < TOUCH_INTERVAL_MS) return;
  const idleExpiresAt = Math.min(now + SESSION_LIFETIMES[session.kind].idleMs, session.absoluteExpiresAt);
  await db.update(sessions).set({ lastUsedAt: now, idleExpiresAt }).where(eq(sessions.id, session.id));
  session.lastUsedAt = now;
  session.idleExpiresAt = idleExpiresAt;
}

/** The browser cookie check, run on every request: the row must exist and be live. */
export async function findLiveBrowserSession(db: Db, secret: string, now = Date.now()): Promise<LiveSession | undefined> {
  if (!secret || secret.length > 200) return undefined;
  const found = await loadWithUser(db, "secretHash", sha256(secret));
  if (!found || found.session.kind !== "browser" || !isLive(found.session, now)) return undefined;
  await touch(db, found.session, now);
  return found;
}

/** The API check, run on every request carrying an access token: its `sid` must still be live. */
export async function findLiveApiSession(db: Db, sessionId: string, userId: string, now = Date.now()): Promise<LiveSession | undefined> {
  const found = await loadWithUser(db, "id", sessionId);
  if (!found || found.session.kind !== "api" || found.session.userId !== userId || !isLive(found.session, now)) return undefined;
  await touch(db, found.session, now);
  return found;
}

export type RefreshOutcome =
  | { ok: true; session: Session; refreshToken: string }
  | { ok: false; reason: "unknown" | "reused" | "expired" | "superseded" };

/**
 * How long the token a refresh just replaced may be presented again without counting as reuse.
 * A client that retries a refresh whose answer it lost, or refreshes from two tabs at once,
 * presents it again within moments; killing its session for that would punish the client for a
 * race. A stolen copy played later is still reuse (RFC 9700 §4.14).
 */
export const REFRESH_REUSE_GRACE_MS = 10_000;

/**
 * Single-use rotation. Marking the presented token used is one conditional UPDATE, so of
 * concurrent refreshes with one token exactly one wins. A used token presented again is
 * - "superseded" (refused, session untouched) while it is the one the latest rotation replaced,
 *   within REFRESH_REUSE_GRACE_MS: the client keeps the winner's tokens;
 * - "reused" otherwise: it leaked (or a client misbehaves), so the whole session is revoked.
 */
export async function rotateRefreshToken(db: Db, presented: string, now = Date.now()): Promise<RefreshOutcome> {
  if (!presented || presented.length > 200) return { ok: false, reason: "unknown" };
  const tokenHash = sha256(presented);
  return transaction(db, async (tx): Promise<RefreshOutcome> => {
    const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
    if (!row) return { ok: false, reason: "unknown" };
    const claimed = await tx
      .update(refreshTokens)
      .set({ usedAt: now })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
      .returning({ tokenHash: refreshTokens.tokenHash });
    if (claimed.length !== 1) {
      // Read again: a concurrent winner may have used it after our first read.
      const [used] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
      if (await isJustSuperseded(tx, used ?? row, now)) return { ok: false, reason: "superseded" };
      await revokeSession(tx, row.sessionId, "refresh_token_reuse", now);
      return { ok: false, reason: "reused" };
    }
    const [session] = await tx.select().from(sessions).where(eq(sessions.id, row.sessionId)).limit(1);
    if (!session || session.kind !== "api" || !isLive(session, now)) return { ok: false, reason: "expired" };
    const idleExpiresAt = Math.min(now + SESSION_LIFETIMES.api.idleMs, session.absoluteExpiresAt);
    await tx.update(sessions).set({ lastUsedAt: now, idleExpiresAt }).where(eq(sessions.id, session.id));
    const refreshToken = await issueRefreshToken(tx, session.id, now);
    return { ok: true, session: { ...session, lastUsedAt: now, idleExpiresAt }, refreshToken };
  });
}

/**
 * A used token is a duplicate of the latest exchange when it was used moments ago and the token
 * that exchange issued (created at that moment) has not been used yet. Two rotations on, it is
 * no duplicate: the client already moved past it.
 */
async function isJustSuperseded(db: Db, row: typeof refreshTokens.$inferSelect, now: number): Promise<boolean> {
  if (row.usedAt === null || now - row.usedAt >= REFRESH_REUSE_GRACE_MS) return false;
  const [laterUsed] = await db
    .select({ tokenHash: refreshTokens.tokenHash })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.sessionId, row.sessionId), ne(refreshTokens.tokenHash, row.tokenHash), gte(refreshTokens.createdAt, row.usedAt), isNotNull(refreshTokens.usedAt)))
    .limit(1);
  return laterUsed === undefined;
}

export async function revokeSession(db: Db, sessionId: string, reason: string, now = Date.now()): Promise<boolean> {
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length > 0;
}

/** Revokes one of the user's sessions; someone else's session id is simply "not found". */
export async function revokeOwnSession(db: Db, userId: string, sessionId: string, now = Date.now()): Promise<boolean> {
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: "revoked_by_user" })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length > 0;
}

export async function revokeOtherSessions(db: Db, userId: string, keepSessionId: string | null, reason: string, now = Date.now()): Promise<number> {
  const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (keepSessionId) conditions.push(ne(sessions.id, keepSessionId));
  const revoked = await db.update(sessions).set({ revokedAt: now, revokedReason: reason }).where(and(...conditions)).returning({ id: sessions.id });
  return revoked.length;
}

/** What the Devices page shows: never a secret or a hash. */
export type DeviceView = {
  id: string;
  kind: Session["kind"];
  device: string;
  /** "Chrome on Linux", or an API client's own name (server/auth/new-device.ts). */
  label: string;
  ip: string;
  createdAt: number;
  lastUsedAt: number;
  scopes: Scope[];
  current: boolean;
};

export async function listLiveSessions(db: Db, userId: string, currentSessionId: string | null, now = Date.now()): Promise<DeviceView[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.idleExpiresAt, now), gt(sessions.absoluteExpiresAt, now)))
    .orderBy(desc(sessions.lastUsedAt));
  return rows.map((s) => ({
      id: s.id,
      kind: s.kind,
      device: s.device,
      label: deviceLabel(s.kind, s.device),
      ip: s.ip,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      scopes: parseScopes(s.scopes),
      current: s.id === currentSessionId,
    }));
}
