import { afterEach, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { setDb } from "@/db/client";
import { enqueueMail } from "@/server/mail";
import { drainMailQueue } from "@/server/mail-worker";
import { freshDb } from "@/server/testing/support";
import { healthOf, MAIL_DELAYED_AFTER_MS } from "./health";

const check = () => GET(new Request("http://localhost/api/health", { headers: { accept: "application/json" } }), undefined as never);
const SHUTTING_DOWN = Symbol.for("admit.shuttingDown");

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[SHUTTING_DOWN];
});

describe("GET /api/health", () => {
  it("is 200 while the database answers, with the mail queue's state, and never cached", async () => {
    const db = await freshDb();
    const response = await check();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok", database: "ok", mailQueue: { state: "ok", pending: 0, failed: 0, oldestPendingSeconds: null } });

    await enqueueMail(db, { to: "waiting@health.test", subject: "Waiting", text: "…" });
    expect(((await (await check()).json()) as { mailQueue: { pending: number } }).mailQueue.pending).toBe(1);
  });

  it("reports mail waiting longer than 10 minutes as delayed (still 200: mail doesn't make the instance unfit), and failed mail", async () => {
    const db = await freshDb();
    const now = Date.now();
    // One mail failed for good (one attempt allowed, a mail server that isn't there), one waiting for 11 minutes.
    await enqueueMail(db, { to: "refused@health.test", subject: "Refused", text: "…" }, now - MAIL_DELAYED_AFTER_MS - 120_000);
    await drainMailQueue(db, { smtpUrl: "smtp://127.0.0.1:9", maxAttempts: 1, now: () => now - MAIL_DELAYED_AFTER_MS - 90_000 });
    await enqueueMail(db, { to: "late@health.test", subject: "Late", text: "…" }, now - MAIL_DELAYED_AFTER_MS - 60_000);
    const health = await healthOf(() => db, now);
    expect(health.status).toBe("ok");
    expect(health.mailQueue).toMatchObject({ state: "delayed", pending: 1, failed: 1 });
    expect(health.mailQueue.oldestPendingSeconds).toBeGreaterThan(MAIL_DELAYED_AFTER_MS / 1000);
  });

  it("is 503 with Retry-After when the database can't be opened or doesn't answer, naming neither path nor error", async () => {
    const db = await freshDb();
    // A database that throws on every statement, as a lost server does.
    const broken = new Proxy(db, { get: (target, key) => (key === "run" || key === "execute" ? () => Promise.reject(new Error("connection refused")) : Reflect.get(target, key)) });
    setDb(broken);
    const response = await check();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(await response.json()).toEqual({ status: "unavailable", database: "unavailable", mailQueue: { state: "unknown", pending: 0, failed: 0, oldestPendingSeconds: null } });
    expect(await healthOf(() => { throw new Error("unable to open database file /secret/path"); })).toMatchObject({ status: "unavailable" });
    setDb(db);
  });

  it("calls a database that doesn't answer in time down, without waiting for it", async () => {
    const db = await freshDb();
    const hung = new Proxy(db, { get: (target, key) => (key === "run" || key === "execute" ? () => new Promise(() => {}) : Reflect.get(target, key)) });
    expect(await healthOf(() => hung, Date.now(), 50)).toMatchObject({ status: "unavailable", database: "unavailable" });
    expect(await healthOf(() => db, Date.now(), 5_000)).toMatchObject({ status: "ok" });
  });

  it("is 503 while the server drains on SIGTERM, so load balancers stop sending it requests", async () => {
    await freshDb();
    (globalThis as Record<symbol, unknown>)[SHUTTING_DOWN] = true;
    const response = await check();
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: "shutting_down", database: "ok" });
  });
});
