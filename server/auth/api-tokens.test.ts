import { eq } from "drizzle-orm";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppDb } from "@/db/client";
import { refreshTokens, sessions, type User } from "@/db/schema";
import { config } from "@/server/config";
import { sha256 } from "@/server/ids";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";
import { ACCESS_TOKEN_TTL_SECONDS, accessTokenKey, accessTokenKeyBytes, signAccessToken, verifyAccessToken } from "./access-token";
import { authenticateBearer } from "./caller";
import {
  authTables,
  base64url,
  bearer,
  decodePart,
  expectError,
  getMe,
  postLogout,
  postRefresh,
  postToken,
  signInApi,
  type TokenBody,
} from "@/server/testing/auth-http";
import { createBrowserSession, REFRESH_REUSE_GRACE_MS, revokeSession } from "./sessions";

let db: AppDb;
let user: User;
// Raw bytes, so tests can also sign with algorithms the real (HS256-only) key refuses.
const key = () => accessTokenKeyBytes(config().authSecret);

beforeEach(async () => {
  db = await freshDb();
  user = await makeUser(db, { name: "Token Tester" });
});
afterEach(() => {
  vi.useRealTimers();
});

const session = async (id: string) => (await db.select().from(sessions).where(eq(sessions.id, id)).limit(1))[0]!;

describe("POST /api/v1/auth/token", () => {
  it("issues a 10-minute HS256 access token with every claim the contract lists, and an opaque refresh token", async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await postToken({ body: { email: user.email, password: TEST_PASSWORD, device: "Door scanner 3" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const body = (await response.json()) as TokenBody;
    expect(body).toEqual({
      tokenType: "Bearer",
      token: expect.any(String),
      expiresIn: 600,
      refreshToken: expect.any(String),
      scopes: ["tickets:read", "orders:read"],
    });

    expect(decodeProtectedHeader(body.token)).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = decodeJwt(body.token);
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "iat", "iss", "jti", "scope", "sid", "sub"]);
    expect(claims.sub).toBe(user.id);
    expect(claims.iss).toBe("admit");
    expect(claims.aud).toBe("admit-api");
    expect(claims.scope).toBe("tickets:read orders:read");
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(ACCESS_TOKEN_TTL_SECONDS).toBe(600);
    expect(claims.iat!).toBeGreaterThanOrEqual(before);
    expect(claims.iat!).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    // sid names a live API session row, labelled with the device the client gave.
    const row = await session(claims.sid as string);
    expect(row).toMatchObject({ userId: user.id, kind: "api", device: "Door scanner 3", revokedAt: null, secretHash: null, scopes: "tickets:read orders:read" });

    // The refresh token is 256 random bits and only its SHA-256 is stored.
    expect(Buffer.from(body.refreshToken, "base64url")).toHaveLength(32);
    const stored = await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, row.id));
    expect(stored).toHaveLength(1);
    expect(stored[0].tokenHash).toBe(sha256(body.refreshToken));
    expect(JSON.stringify(await authTables(db))).not.toContain(body.refreshToken);
    expect(JSON.stringify(await authTables(db))).not.toContain(body.token);

    expect(await verifyAccessToken(key(), body.token)).toEqual({ userId: user.id, sessionId: row.id, scopes: ["tickets:read", "orders:read"] });
  });

  it("gives every token its own jti and every sign-in its own session", async () => {
    const a = await signInApi(user.email, TEST_PASSWORD);
    const b = await signInApi(user.email.toUpperCase(), TEST_PASSWORD);
    expect(decodeJwt(a.token).jti).not.toBe(decodeJwt(b.token).jti);
    expect(decodeJwt(a.token).sid).not.toBe(decodeJwt(b.token).sid);
    expect(a.refreshToken).not.toBe(b.refreshToken);
  });

  it("grants the scopes asked for, as an array or a space-separated string", async () => {
    const asArray = await signInApi(user.email, TEST_PASSWORD, { scopes: ["checkin:write"] });
    expect(asArray.scopes).toEqual(["checkin:write"]);
    expect(decodeJwt(asArray.token).scope).toBe("checkin:write");
    const asString = await signInApi(user.email, TEST_PASSWORD, { scopes: "orders:read events:manage" });
    expect(asString.scopes).toEqual(["orders:read", "events:manage"]);
  });

  it.each([
    ["an unknown scope in an array", ["tickets:read", "admin:everything"]],
    ["an unknown scope in a string", "tickets:read root"],
    ["a scope of the wrong type", 42],
  ])("answers 400 naming scopes for %s, and creates no session", async (_label, scopes) => {
    const before = await authTables(db);
    const error = await expectError(await postToken({ body: { email: user.email, password: TEST_PASSWORD, scopes } }), 400, "BAD_REQUEST");
    expect(Object.keys(error.fields ?? {}).some((k) => k === "scopes" || k.startsWith("scopes."))).toBe(true);
    expect(await authTables(db)).toEqual(before);
  });

  it("answers a wrong password with 401 and creates no session", async () => {
    const error = await expectError(await postToken({ body: { email: user.email, password: "not the password" } }), 401, "UNAUTHORIZED");
    expect(error.message).toMatch(/email or password/i);
    expect((await authTables(db)).sessions).toEqual([]);
  });
});

describe("GET /api/v1/me", () => {
  it("answers the token's user", async () => {
    const tokens = await signInApi(user.email, TEST_PASSWORD);
    const response = await getMe(bearer(tokens.token));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: user.id, email: user.email, name: "Token Tester", role: "user" });
  });

  it("refuses a browser session cookie: the REST API is for Bearer tokens", async () => {
    const { secret } = await createBrowserSession(db, user.id, { device: "browser", ip: "127.0.0.1" });
    await expectError(await getMe({ headers: { cookie: `admit.session=${secret}` } }), 401, "UNAUTHORIZED");
  });
});

describe("refresh rotation", () => {
  it("returns a new refresh token and a new access token for the same session", async () => {
    const first = await signInApi(user.email, TEST_PASSWORD, { scopes: ["orders:read"] });
    const response = await postRefresh({ body: { refreshToken: first.refreshToken } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const second = (await response.json()) as TokenBody;
    expect(second.tokenType).toBe("Bearer");
    expect(second.expiresIn).toBe(600);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.token).not.toBe(first.token);
    expect(decodeJwt(second.token).sid).toBe(decodeJwt(first.token).sid);
    expect(decodeJwt(second.token).jti).not.toBe(decodeJwt(first.token).jti);
    expect((await getMe(bearer(second.token))).status).toBe(200);

    // The new one works in turn.
    const third = await postRefresh({ body: { refreshToken: second.refreshToken } });
    expect(third.status).toBe(200);
  });

  it("treats a used refresh token as stolen: it fails and revokes the whole session, so the newer one fails too", async () => {
    const first = await signInApi(user.email, TEST_PASSWORD);
    const sid = decodeJwt(first.token).sid as string;
    const second = (await (await postRefresh({ body: { refreshToken: first.refreshToken } })).json()) as TokenBody;
    // Past the grace period for a client's own duplicate (see the refresh-race attack test).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + REFRESH_REUSE_GRACE_MS });

    const reuse = await expectError(await postRefresh({ body: { refreshToken: first.refreshToken } }), 401, "UNAUTHORIZED");
    expect(reuse.message).toMatch(/already used/i);
    expect(await session(sid)).toMatchObject({ revokedReason: "refresh_token_reuse" });
    expect((await session(sid)).revokedAt).not.toBeNull();

    await expectError(await postRefresh({ body: { refreshToken: second.refreshToken } }), 401, "UNAUTHORIZED");
    // And the access tokens of that session die with it, at once.
    await expectError(await getMe(bearer(second.token)), 401, "UNAUTHORIZED");
    await expectError(await getMe(bearer(first.token)), 401, "UNAUTHORIZED");
  });

  it("can't widen scopes: a refresh asking for more still gets only what the session was granted", async () => {
    const narrow = await signInApi(user.email, TEST_PASSWORD, { scopes: ["tickets:read"] });
    const response = await postRefresh({
      body: { refreshToken: narrow.refreshToken, scopes: ["tickets:read", "orders:read", "checkin:write", "events:manage"], scope: "events:manage" },
    });
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as TokenBody;
    expect(refreshed.scopes).toEqual(["tickets:read"]);
    expect(decodeJwt(refreshed.token).scope).toBe("tickets:read");
    expect((await session(decodeJwt(refreshed.token).sid as string)).scopes).toBe("tickets:read");
  });

  it("a token claiming more scopes than its session holds only gets the session's", async () => {
    const narrow = await signInApi(user.email, TEST_PASSWORD, { scopes: ["tickets:read"] });
    const sid = decodeJwt(narrow.token).sid as string;
    // Even a correctly signed token (say, from a key leak of old) can't exceed its session's grant.
    const wide = await signAccessToken(key(), { userId: user.id, sessionId: sid, scopes: ["tickets:read", "events:manage"] });
    const auth = await authenticateBearer(db, `Bearer ${wide}`);
    expect(auth.kind).toBe("caller");
    if (auth.kind === "caller") expect([...auth.caller.scopes]).toEqual(["tickets:read"]);
  });

  it("refuses a refresh token once its session is revoked", async () => {
    const tokens = await signInApi(user.email, TEST_PASSWORD);
    await revokeSession(db, decodeJwt(tokens.token).sid as string, "test");
    await expectError(await postRefresh({ body: { refreshToken: tokens.refreshToken } }), 401, "UNAUTHORIZED");
  });
});

describe("logout", () => {
  it("kills the access token at once, and the refresh token with it", async () => {
    const tokens = await signInApi(user.email, TEST_PASSWORD);
    const sid = decodeJwt(tokens.token).sid as string;
    expect((await getMe(bearer(tokens.token))).status).toBe(200);

    const logout = await postLogout(bearer(tokens.token));
    expect(logout.status).toBe(204);
    expect(await logout.text()).toBe("");
    expect((await session(sid)).revokedReason).toBe("logged_out");

    // The JWT is still within its 10 minutes, but its sid is dead: 401 on the very next request.
    expect(await verifyAccessToken(key(), tokens.token)).not.toBeNull();
    await expectError(await getMe(bearer(tokens.token)), 401, "UNAUTHORIZED");
    await expectError(await postRefresh({ body: { refreshToken: tokens.refreshToken } }), 401, "UNAUTHORIZED");
    await expectError(await postLogout(bearer(tokens.token)), 401, "UNAUTHORIZED");
  });

  it("logs out only its own session", async () => {
    const a = await signInApi(user.email, TEST_PASSWORD);
    const b = await signInApi(user.email, TEST_PASSWORD);
    expect((await postLogout(bearer(a.token))).status).toBe(204);
    expect((await getMe(bearer(b.token))).status).toBe(200);
    expect((await postRefresh({ body: { refreshToken: b.refreshToken } })).status).toBe(200);
  });

  it("a session revoked any other way (Devices page, revokeSession) is dead on the next request", async () => {
    const tokens = await signInApi(user.email, TEST_PASSWORD);
    expect((await getMe(bearer(tokens.token))).status).toBe(200);
    await revokeSession(db, decodeJwt(tokens.token).sid as string, "revoked_by_user");
    await expectError(await getMe(bearer(tokens.token)), 401, "UNAUTHORIZED");
  });
});

describe("bad access tokens are 401 with the error shape, never a 500, and change nothing", () => {
  let good: TokenBody;
  let sid: string;
  beforeEach(async () => {
    good = await signInApi(user.email, TEST_PASSWORD);
    sid = decodeJwt(good.token).sid as string;
  });

  const cases: Array<[string, () => Promise<string>]> = [
    ["signed with another key", () => signAccessToken(accessTokenKeyBytes("some-other-secret-0123456789-0123456789"), { userId: user.id, sessionId: sid, scopes: ["tickets:read"] })],
    ["expired (issued 11 minutes ago)", () => signAccessToken(key(), { userId: user.id, sessionId: sid, scopes: ["tickets:read"] }, Math.floor(Date.now() / 1000) - 11 * 60)],
    [
      "alg: none",
      async () => {
        const claims = decodeJwt(good.token);
        return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
      },
    ],
    [
      "alg: none, with the original signature kept",
      async () => {
        const [, body, sig] = good.token.split(".");
        return `${base64url({ alg: "none", typ: "JWT" })}.${body}.${sig}`;
      },
    ],
    [
      "a tampered payload (scope widened)",
      async () => {
        const [head, , sig] = good.token.split(".");
        return `${head}.${base64url({ ...decodePart(good.token, 1), scope: "tickets:read orders:read checkin:write events:manage" })}.${sig}`;
      },
    ],
    [
      "a tampered payload (another user's id)",
      async () => {
        const [head, , sig] = good.token.split(".");
        return `${head}.${base64url({ ...decodePart(good.token, 1), sub: "AAAAAAAAAAAAAAAAAAAAAA" })}.${sig}`;
      },
    ],
    ["a flipped signature", async () => good.token.slice(0, -2) + (good.token.endsWith("AA") ? "BB" : "AA")],
    ["another allowed-looking algorithm (HS512, same key)", () => new SignJWT({ sid, scope: "tickets:read" }).setProtectedHeader({ alg: "HS512" }).setSubject(user.id).setIssuer("admit").setAudience("admit-api").setIssuedAt().setExpirationTime("10m").setJti("j".repeat(22)).sign(key())],
    ["no exp claim", () => new SignJWT({ sid, scope: "tickets:read" }).setProtectedHeader({ alg: "HS256" }).setSubject(user.id).setIssuer("admit").setAudience("admit-api").setIssuedAt().setJti("j".repeat(22)).sign(key())],
    ["the wrong audience", () => new SignJWT({ sid, scope: "tickets:read" }).setProtectedHeader({ alg: "HS256" }).setSubject(user.id).setIssuer("admit").setAudience("someone-else").setIssuedAt().setExpirationTime("10m").setJti("j".repeat(22)).sign(key())],
    ["the wrong issuer", () => new SignJWT({ sid, scope: "tickets:read" }).setProtectedHeader({ alg: "HS256" }).setSubject(user.id).setIssuer("evil").setAudience("admit-api").setIssuedAt().setExpirationTime("10m").setJti("j".repeat(22)).sign(key())],
    ["a valid signature for a session that doesn't exist", () => signAccessToken(key(), { userId: user.id, sessionId: "AAAAAAAAAAAAAAAAAAAAAA", scopes: ["tickets:read"] })],
    ["a valid signature pairing the session with another user", async () => signAccessToken(key(), { userId: (await makeUser(db)).id, sessionId: sid, scopes: ["tickets:read"] })],
    [
      "a valid signature naming a browser session",
      async () => {
        const browser = await createBrowserSession(db, user.id, { device: "b", ip: "127.0.0.1" });
        return signAccessToken(key(), { userId: user.id, sessionId: browser.session.id, scopes: ["tickets:read"] });
      },
    ],
    ["garbage", async () => "not.a.jwt"],
    ["three empty parts", async () => ".."],
    ["a huge token", async () => "a".repeat(10_000)],
    ["the refresh token used as an access token", async () => good.refreshToken],
  ];

  it.each(cases)("%s", async (_label, makeToken) => {
    const token = await makeToken();
    const before = await authTables(db);
    await expectError(await getMe(bearer(token)), 401, "UNAUTHORIZED");
    await expectError(await postLogout(bearer(token)), 401, "UNAUTHORIZED");
    expect(await authTables(db)).toEqual(before);
    // The genuine token was never harmed by the attempts.
    expect((await getMe(bearer(good.token))).status).toBe(200);
  });

  it("an expired token is refused even though its session is live", async () => {
    const old = await signAccessToken(key(), { userId: user.id, sessionId: sid, scopes: ["tickets:read"] }, Math.floor(Date.now() / 1000) - 601);
    expect(await verifyAccessToken(key(), old)).toBeNull();
    expect((await session(sid)).revokedAt).toBeNull();
    // And one that is just inside its lifetime still works.
    const young = await signAccessToken(key(), { userId: user.id, sessionId: sid, scopes: ["tickets:read"] }, Math.floor(Date.now() / 1000) - 590);
    expect((await getMe(bearer(young))).status).toBe(200);
  });

  it("a token that verified once is refused from the second it expires, and under any other key", async () => {
    const serverKey = await accessTokenKey(config().authSecret);
    const issued = Math.floor(Date.now() / 1000);
    const token = await signAccessToken(serverKey, { userId: user.id, sessionId: sid, scopes: ["tickets:read"] }, issued);
    expect(await verifyAccessToken(serverKey, token)).not.toBeNull();
    const at = (seconds: number) => new Date(seconds * 1000);
    expect(await verifyAccessToken(serverKey, token, at(issued + ACCESS_TOKEN_TTL_SECONDS - 1))).not.toBeNull();
    expect(await verifyAccessToken(serverKey, token, at(issued + ACCESS_TOKEN_TTL_SECONDS))).toBeNull();
    expect(await verifyAccessToken(accessTokenKeyBytes(`another ${config().authSecret}`), token)).toBeNull();
    expect(await verifyAccessToken(serverKey, token)).not.toBeNull();
  });

  it.each([
    ["Bearer with nothing after it", "Bearer"],
    ["Bearer and a space", "Bearer "],
    ["Bearer with junk", "Bearer !!!junk!!!"],
    ["Bearer with two spaces", "Bearer  TOKEN"],
    ["two tokens", "Bearer TOKEN TOKEN"],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["the token without a scheme", "TOKEN"],
    ["an empty header", ""],
  ])("Authorization: %s", async (_label, template) => {
    const before = await authTables(db);
    const value = template.replaceAll("TOKEN", good.token);
    await expectError(await getMe({ headers: { authorization: value } }), 401, "UNAUTHORIZED");
    await expectError(await postLogout({ headers: { authorization: value } }), 401, "UNAUTHORIZED");
    expect(await authTables(db)).toEqual(before);
  });

  it("no Authorization header at all is 401 too", async () => {
    await expectError(await getMe(), 401, "UNAUTHORIZED");
    await expectError(await postLogout(), 401, "UNAUTHORIZED");
  });
});

describe("bad request bodies get the documented 4xx with fields, never a 500, and change nothing", () => {
  const big = JSON.stringify({ email: "a@example.test", password: "x".repeat(20 * 1024) });

  it.each([
    ["token", postToken],
    ["refresh", postRefresh],
  ] as const)("%s: malformed JSON → 400", async (_name, post) => {
    const before = await authTables(db);
    for (const body of ["{", "{'email': 1}", "not json", "", '{"email":"a@b.c",}']) {
      const error = await expectError(await post({ body, headers: { "content-type": "application/json" } }), 400, "BAD_REQUEST");
      expect(error.fields).toBeDefined();
    }
    expect(await authTables(db)).toEqual(before);
  });

  it.each([
    ["token", postToken, { email: "a@b.c", password: "p" }],
    ["refresh", postRefresh, { refreshToken: "x" }],
  ] as const)("%s: a body that is not application/json → 415", async (_name, post, valid) => {
    const before = await authTables(db);
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp"]) {
      await expectError(await post({ body: JSON.stringify(valid), headers: { "content-type": type } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    }
    // No content type at all is refused the same way.
    await expectError(await post({ body: JSON.stringify(valid), headers: { "content-type": null } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(await authTables(db)).toEqual(before);
  });

  it.each([
    ["token", postToken],
    ["refresh", postRefresh],
  ] as const)("%s: a 20 KiB body → 413, whether or not Content-Length announces it", async (_name, post) => {
    const before = await authTables(db);
    await expectError(await post({ body: big }), 413, "PAYLOAD_TOO_LARGE");
    await expectError(await post({ body: big, headers: { "content-length": String(big.length) } }), 413, "PAYLOAD_TOO_LARGE");
    expect(await authTables(db)).toEqual(before);
  });

  it("token: missing fields are named", async () => {
    const error = await expectError(await postToken({ body: {} }), 400, "BAD_REQUEST");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["email", "password"]);
    const onlyEmail = await expectError(await postToken({ body: { email: user.email } }), 400, "BAD_REQUEST");
    expect(Object.keys(onlyEmail.fields ?? {})).toEqual(["password"]);
  });

  it("token: wrong types are named", async () => {
    const before = await authTables(db);
    const error = await expectError(await postToken({ body: { email: 42, password: ["x"], device: { a: 1 } } }), 400, "BAD_REQUEST");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["device", "email", "password"]);
    for (const body of [null, [], "a string", 7, true]) {
      const e = await expectError(await postToken({ body: JSON.stringify(body) }), 400, "BAD_REQUEST");
      expect(e.fields).toBeDefined();
    }
    expect(await authTables(db)).toEqual(before);
  });

  it("token: an overlong device name or password is 400, not truncated into a session", async () => {
    const before = await authTables(db);
    const device = await expectError(await postToken({ body: { email: user.email, password: TEST_PASSWORD, device: "d".repeat(201) } }), 400);
    expect(Object.keys(device.fields ?? {})).toEqual(["device"]);
    const password = await expectError(await postToken({ body: { email: user.email, password: "p".repeat(129) } }), 400);
    expect(Object.keys(password.fields ?? {})).toEqual(["password"]);
    expect(await authTables(db)).toEqual(before);
  });

  it("refresh: missing, wrong-typed, empty and unknown refresh tokens", async () => {
    await signInApi(user.email, TEST_PASSWORD);
    const before = await authTables(db);
    const missing = await expectError(await postRefresh({ body: {} }), 400, "BAD_REQUEST");
    expect(Object.keys(missing.fields ?? {})).toEqual(["refreshToken"]);
    for (const refreshToken of [42, null, ["a"], { a: 1 }, ""]) {
      const e = await expectError(await postRefresh({ body: { refreshToken } }), 400, "BAD_REQUEST");
      expect(Object.keys(e.fields ?? {})).toEqual(["refreshToken"]);
    }
    await expectError(await postRefresh({ body: { refreshToken: "x".repeat(201) } }), 400, "BAD_REQUEST");
    for (const refreshToken of ["unknown-refresh-token", "A".repeat(43), "'; DROP TABLE sessions; --"]) {
      const e = await expectError(await postRefresh({ body: { refreshToken } }), 401, "UNAUTHORIZED");
      expect(e.fields).toBeUndefined();
    }
    expect(await authTables(db)).toEqual(before);
  });

  it("logout and me ignore a body; logout with a junk body is still just 401 without a token", async () => {
    const before = await authTables(db);
    await expectError(await postLogout({ body: "{not json", headers: { "content-type": "text/plain" } }), 401, "UNAUTHORIZED");
    await expectError(await postLogout({ body: big }), 401, "UNAUTHORIZED");
    expect(await authTables(db)).toEqual(before);
  });

  it("a browser following a link gets a readable page with the same status", async () => {
    const response = await getMe({ headers: { accept: "text/html" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/Sign in/);
  });
});
