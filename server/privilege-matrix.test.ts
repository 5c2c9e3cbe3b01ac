import { readdirSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { fieldsOf } from "@/server/errors";
import { appRouter, createCaller } from "@/server/router";
import { createInnerContext } from "@/server/trpc";
import type { BadInputRow, BadRequestRow, PrivilegeRows, ProcedureRow, RouteRow } from "@/server/testing/matrix";
import { buildWorld, ROLES, type Role, type World } from "@/server/testing/world";

/**
 * The privilege matrix: every tRPC procedure and every route handler, for every role, with the
 * expected HTTP outcome. Rows live beside each domain in `server/<domain>/privileges.ts`.
 * A procedure or route without a row fails this test, so nothing ships unexamined.
 */
const modules = import.meta.glob<{ privileges: PrivilegeRows }>("./**/privileges.ts", { eager: true });
const all = Object.values(modules).map((m) => m.privileges);
const procedureRows: Record<string, ProcedureRow[]> = {};
const badInputRows: Record<string, BadInputRow[]> = {};
const routeRows: RouteRow[] = [];
const badRequestRows: BadRequestRow[] = [];
for (const rows of all) {
  for (const [name, row] of Object.entries(rows.procedures ?? {})) (procedureRows[name] ??= []).push(...(Array.isArray(row) ? row : [row]));
  for (const [name, row] of Object.entries(rows.badInput ?? {})) (badInputRows[name] ??= []).push(...row);
  routeRows.push(...(rows.routes ?? []));
  badRequestRows.push(...(rows.badRequests ?? []));
}

/** Route handlers not in the matrix, each with the reason. */
const EXEMPT_ROUTES: Record<string, string> = {
  "app/api/auth/[...nextauth]/route.ts": "Auth.js's own sign-in endpoints; exercised by the e2e sign-in tests",
  "app/api/trpc/[trpc]/route.ts": "the tRPC transport; every procedure behind it has rows above",
};

const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

function procedureNames(): string[] {
  return Object.keys(appRouter._def.procedures).sort();
}

function takesInput(name: string): boolean {
  const proc = (appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>)[name];
  return proc._def.inputs.length > 0;
}

function procedureType(name: string): "query" | "mutation" | "subscription" {
  const proc = (appRouter._def.procedures as unknown as Record<string, { _def: { type: "query" | "mutation" | "subscription" } }>)[name];
  return proc._def.type;
}

function routeFiles(dir = "app"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full.split(path.sep).join("/")] : [];
  });
}

async function callProcedure(world: World, role: Role, name: string, input: unknown): Promise<{ status: number; error?: TRPCError }> {
  const ctx = role === "anonymous" ? createInnerContext({ db: world.db }) : createInnerContext({ db: world.db, auth: { kind: "caller", caller: world.cookieFor(role).caller } });
  const caller = createCaller(ctx) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
  const [group, procedure] = name.split(".");
  try {
    await caller[group][procedure](input);
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { status: getHTTPStatusCodeFromError(error), error };
  }
}

async function callRoute(world: World, role: Role, row: Omit<RouteRow, "body" | "expect">, body?: unknown): Promise<Response> {
  const mod = (await import(/* @vite-ignore */ `@/${row.file}`)) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
  const headers = new Headers({ accept: "application/json" });
  if (body !== undefined && typeof body !== "string") headers.set("content-type", "application/json");
  for (const [name, value] of Object.entries(row.headers ?? {})) headers.set(name, value);
  if (role !== "anonymous") {
    if (row.auth === "cookie") headers.set("cookie", `admit.session=${world.cookieFor(role).cookie}`);
    else headers.set("authorization", `Bearer ${await world.bearerFor(role, row.scopes)}`);
  }
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const request = new Request(`http://localhost${row.path(world)}`, { method: row.method, headers, body: payload });
  return mod[row.method](request, { params: Promise.resolve(row.params?.(world) ?? {}) });
}

describe("privilege matrix: coverage", () => {
  it("has a row for every tRPC procedure", () => {
    const missing = procedureNames().filter((name) => !procedureRows[name]);
    expect(missing, "procedures without a privilege row").toEqual([]);
  });

  it("has a bad-input row for every procedure that takes input", () => {
    const missing = procedureNames().filter((name) => takesInput(name) && !badInputRows[name]?.length);
    expect(missing, "procedures with input but no bad-input row").toEqual([]);
  });

  it("has a bad-request row for every route method that takes input (a body or an id in the path)", () => {
    const takingInput = new Set(routeRows.filter((r) => r.body || r.file.includes("[")).map((r) => `${r.method} ${r.file}`));
    const covered = new Set(badRequestRows.map((r) => `${r.method} ${r.file}`));
    expect([...takingInput].filter((key) => !covered.has(key)), "route methods with input but no bad-request row").toEqual([]);
  });

  it("has no row for a procedure that doesn't exist", () => {
    const known = new Set(procedureNames());
    expect(Object.keys(procedureRows).filter((n) => !known.has(n))).toEqual([]);
  });

  it("has a row for every exported method of every route handler", async () => {
    const missing: string[] = [];
    for (const file of routeFiles()) {
      if (EXEMPT_ROUTES[file]) continue;
      const mod = (await import(/* @vite-ignore */ `@/${file}`)) as Record<string, unknown>;
      for (const method of HTTP_METHODS) {
        if (typeof mod[method] === "function" && !routeRows.some((r) => r.file === file && r.method === method)) missing.push(`${method} ${file}`);
      }
    }
    expect(missing, "route methods without a privilege row").toEqual([]);
  });
});

describe("privilege matrix: procedures", () => {
  for (const name of procedureNames()) {
    for (const [i, row] of (procedureRows[name] ?? []).entries()) {
      it.each(ROLES.map((role) => [role, row.expect[role]] as const))(`${name}${i ? ` #${i + 1}` : ""} as %s → %i`, async (role, expected) => {
        const world = await buildWorld();
        const { status, error } = await callProcedure(world, role, name, row.input?.(world));
        expect(status, error?.message).toBe(expected);
      });
    }
  }
});

describe("privilege matrix: bad input", () => {
  for (const [name, rows] of Object.entries(badInputRows)) {
    for (const row of rows) {
      it(`${name} as ${row.as} with bad input → ${row.expect}${row.field ? ` naming ${row.field}` : ""}`, async () => {
        const world = await buildWorld();
        const { status, error } = await callProcedure(world, row.as, name, row.input(world));
        expect(status, error?.message).toBe(row.expect);
        if (row.field) expect(Object.keys(fieldsOf(error!) ?? {})).toContain(row.field);
      });
    }
  }
});

describe("privilege matrix: routes", () => {
  for (const row of routeRows) {
    it.each(ROLES.map((role) => [role, row.expect[role]] as const))(`${row.method} ${row.file} (${row.auth}) as %s → %i`, async (role, expected) => {
      const world = await buildWorld();
      const response = await callRoute(world, role, row, row.body?.(world, role));
      expect(response.status).toBe(expected);
      if (response.status >= 400 && row.method !== "HEAD") {
        const body = (await response.json()) as { error?: { code?: string; message?: string } };
        expect(body.error?.code).toMatch(/^[A-Z_]+$/);
        expect(typeof body.error?.message).toBe("string");
      }
    });
  }
});

describe("privilege matrix: bad requests to routes", () => {
  for (const row of badRequestRows) {
    it(`${row.method} ${row.file} as ${row.as} with ${JSON.stringify(row.body ?? null).slice(0, 40)} → ${row.expect}${row.field ? ` naming ${row.field}` : ""}`, async () => {
      const world = await buildWorld();
      const response = await callRoute(world, row.as, row, row.body);
      expect(response.status).toBe(row.expect);
      if (row.method !== "HEAD") {
        const body = (await response.json()) as { error?: { code?: string; message?: string; fields?: Record<string, string> } };
        expect(body.error?.code).toMatch(/^[A-Z_]+$/);
        if (row.field) expect(Object.keys(body.error?.fields ?? {})).toContain(row.field);
      }
    });
  }
});

describe("privilege matrix: procedure types", () => {
  it("uses queries for reads and mutations for writes (CSRF checks mutations)", () => {
    for (const name of procedureNames()) expect(["query", "mutation"]).toContain(procedureType(name));
  });
});
