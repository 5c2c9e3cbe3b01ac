import { readdirSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { BEARER_ACCESS, bearerRuleOf, type BearerRule } from "@/server/access";
import { authenticateBearer } from "@/server/auth/caller";
import { SCOPES, type Scope } from "@/server/auth/scopes";
import { fieldsOf } from "@/server/errors";
import { appRouter, createCaller } from "@/server/router";
import { createInnerContext, resourceGates } from "@/server/trpc";
import type { BadInputRow, BadRequestRow, PrivilegeRows, ProcedureRow, RouteRow } from "@/server/testing/matrix";
import { buildWorld, ROLES, type Role, type SignedInRole, type World } from "@/server/testing/world";

/**
 * The privilege matrix: every tRPC procedure and every route handler, for every role, with the
 * expected HTTP outcome. Rows live in one file per domain, `server/testing/privileges/<domain>.ts`.
 * A procedure or route without a row fails this test, so nothing ships unexamined.
 *
 * Each row also runs with bearer tokens (the "bearer columns"): a token holding exactly the
 * scope server/access.ts BEARER_ACCESS declares gets what the role gets with a cookie, and a
 * token holding every other scope gets 403; browser-only procedures refuse every token.
 */
const modules = import.meta.glob<{ privileges: PrivilegeRows }>("./testing/privileges/*.ts", { eager: true });
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

/** Procedures that name an event without acting for its team, each with the reason. */
const UNGATED_EVENT_INPUTS: Record<string, string> = {
  "orders.place": "a buyer (signed in or a guest), not the team: canBuyFromEvent (server/access.ts) is checked inside the order's transaction",
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

/** A route method's key in BEARER_ACCESS: "GET /tickets/[orderIdentifier]" for app/tickets/[orderIdentifier]/route.ts. */
function routeKey(method: string, file: string): string {
  return `${method} ${file.replace(/^app/, "").replace(/\/route\.ts$/, "")}`;
}

/** The names of the fields a procedure's input schemas take (through transforms and pipes). */
function inputFields(name: string): string[] {
  const proc = (appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>)[name];
  const fieldsOfSchema = (schema: unknown): string[] => {
    const s = schema as { shape?: Record<string, unknown>; _zod?: { def?: { in?: unknown } } };
    if (s.shape) return Object.keys(s.shape);
    return s._zod?.def?.in ? fieldsOfSchema(s._zod.def.in) : [];
  };
  return proc._def.inputs.flatMap(fieldsOfSchema);
}

function passesResourceGate(name: string): boolean {
  const proc = (appRouter._def.procedures as unknown as Record<string, { _def: { middlewares: object[] } }>)[name];
  return proc._def.middlewares.some((middleware) => resourceGates.has(middleware));
}

function routeFiles(dir = "app"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full.split(path.sep).join("/")] : [];
  });
}

const SIGNED_IN_ROLES = ROLES.filter((role): role is SignedInRole => role !== "anonymous");

/** How a matrix cell authenticates: a browser cookie, or a bearer token with these scopes. */
type Credential = { via: "cookie" } | { via: "bearer"; scopes: readonly Scope[] };

/** The tokens of the bearer columns for a rule: the exact grant, and the grant without it. */
function bearerColumns(rule: BearerRule | undefined): Array<{ label: string; scopes: readonly Scope[]; refused: boolean }> {
  if (rule === undefined || rule === "browser-only") return [{ label: "any token", scopes: SCOPES, refused: true }];
  if (rule === "no-credentials") return [];
  if (rule === "any-token") return [{ label: "a token with no scopes", scopes: [], refused: false }];
  return [
    { label: `a token with only ${rule}`, scopes: [rule], refused: false },
    { label: `a token with every scope but ${rule}`, scopes: SCOPES.filter((s) => s !== rule), refused: true },
  ];
}

async function callerFor(world: World, role: SignedInRole, credential: Credential) {
  if (credential.via === "cookie") return (await world.cookieFor(role)).caller;
  const auth = await authenticateBearer(world.db, `Bearer ${await world.bearerFor(role, credential.scopes)}`);
  if (auth.kind !== "caller") throw new Error("matrix: the bearer token did not authenticate");
  return auth.caller;
}

async function callProcedure(world: World, role: Role, name: string, input: unknown, credential: Credential = { via: "cookie" }): Promise<{ status: number; error?: TRPCError }> {
  const ctx = role === "anonymous" ? createInnerContext({ db: world.db }) : createInnerContext({ db: world.db, auth: { kind: "caller", caller: await callerFor(world, role, credential) } });
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
    if (row.auth === "cookie") headers.set("cookie", `admit.session=${(await world.cookieFor(role)).cookie}`);
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

  it("declares what a bearer token needs for every procedure and route method, and nothing else", async () => {
    const procedures = procedureNames();
    const routes: string[] = [];
    for (const file of routeFiles()) {
      if (EXEMPT_ROUTES[file]) continue;
      const mod = (await import(/* @vite-ignore */ `@/${file}`)) as Record<string, unknown>;
      for (const method of HTTP_METHODS) if (typeof mod[method] === "function") routes.push(routeKey(method, file));
    }
    const undeclared = [...procedures, ...routes].filter((key) => bearerRuleOf(key) === undefined);
    expect(undeclared, "procedures and routes with no bearer rule in server/access.ts").toEqual([]);
    const known = new Set([...procedures, ...routes]);
    expect(Object.keys(BEARER_ACCESS).filter((key) => !known.has(key)), "bearer rules for nothing").toEqual([]);
  });

  it("builds every procedure that takes an eventId or orderIdentifier on a resource procedure", () => {
    const ungated = procedureNames().filter(
      (name) => !UNGATED_EVENT_INPUTS[name] && inputFields(name).some((f) => f === "eventId" || f === "orderIdentifier") && !passesResourceGate(name),
    );
    expect(ungated, "event or order procedures not built on eventProcedure/orderProcedure").toEqual([]);
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
        const { status, error } = await callProcedure(world, role, name, await row.input?.(world));
        expect(status, error?.message).toBe(expected);
      });
    }
  }
});

describe("privilege matrix: procedures with bearer tokens", () => {
  for (const name of procedureNames()) {
    for (const column of bearerColumns(bearerRuleOf(name))) {
      for (const [i, row] of (procedureRows[name] ?? []).entries()) {
        it.each(SIGNED_IN_ROLES.map((role) => [role, column.refused ? 403 : row.expect[role]] as const))(
          `${name}${i ? ` #${i + 1}` : ""} with ${column.label} as %s → %i`,
          async (role, expected) => {
            const world = await buildWorld();
            const { status, error } = await callProcedure(world, role, name, await row.input?.(world), { via: "bearer", scopes: column.scopes });
            expect(status, error?.message).toBe(expected);
          },
        );
      }
    }
  }
});

describe("privilege matrix: bad input", () => {
  for (const [name, rows] of Object.entries(badInputRows)) {
    for (const row of rows) {
      it(`${name} as ${row.as} with bad input → ${row.expect}${row.field ? ` naming ${row.field}` : ""}`, async () => {
        const world = await buildWorld();
        const { status, error } = await callProcedure(world, row.as, name, await row.input(world));
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

describe("privilege matrix: routes with bearer tokens", () => {
  // Rows that pin their own token scopes are already about scopes, and a cookie row every
  // signed-in role fails with 401 is about a bearer-only route refusing cookies: neither has a
  // bearer twin. Every other row gets both columns.
  const refusesCookies = (row: RouteRow) => row.auth === "cookie" && SIGNED_IN_ROLES.every((role) => row.expect[role] === 401);
  for (const row of routeRows.filter((r) => r.scopes === undefined && !refusesCookies(r))) {
    for (const column of bearerColumns(bearerRuleOf(routeKey(row.method, row.file)))) {
      it.each(SIGNED_IN_ROLES.map((role) => [role, column.refused ? 403 : row.expect[role]] as const))(
        `${row.method} ${row.file} with ${column.label} as %s → %i`,
        async (role, expected) => {
          const world = await buildWorld();
          const response = await callRoute(world, role, { ...row, auth: "bearer", scopes: [...column.scopes] }, row.body?.(world, role));
          expect(response.status).toBe(expected);
        },
      );
    }
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
