import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { setDb } from "@/db/client";
import { freshDb } from "@/server/test-support";
import { databaseAnswers } from "./health";

const check = () => GET(new Request("http://localhost/api/health", { headers: { accept: "application/json" } }), undefined);

describe("GET /api/health", () => {
  it("is 200 while the database answers", async () => {
    await freshDb();
    const response = await check();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("is 503 with the error contract when the database doesn't answer", async () => {
    const db = await freshDb();
    // A database that throws on every statement, as a lost server does.
    const broken = new Proxy(db, { get: (target, key) => (key === "run" || key === "execute" ? () => Promise.reject(new Error("connection refused")) : Reflect.get(target, key)) });
    setDb(broken);
    const response = await check();
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "UNAVAILABLE" } });
    setDb(db);
  });

  it("calls a database that doesn't answer in time down, without waiting for it", async () => {
    const db = await freshDb();
    const hung = new Proxy(db, { get: (target, key) => (key === "run" || key === "execute" ? () => new Promise(() => {}) : Reflect.get(target, key)) });
    expect(await databaseAnswers(hung, 50)).toBe(false);
    expect(await databaseAnswers(db, 5_000)).toBe(true);
  });
});
