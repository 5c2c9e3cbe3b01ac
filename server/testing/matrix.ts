import type { Role, SignedInRole, World } from "./world";
import type { Scope } from "@/server/auth/scopes";

/**
 * Rows of the privilege matrix. Each domain keeps its rows in its own file under
 * server/testing/privileges/ (e.g. `orders.ts`); server/privilege-matrix.test.ts collects every
 * one of them and fails when a tRPC procedure or a route handler has no row.
 */
export type Expectation = Record<Role, number>;

export type ProcedureRow = {
  /** Input for the call; the same for every role. May change the world first (then async). */
  input?: (world: World) => unknown;
  expect: Expectation;
  /** Why a row's outcome isn't the obvious one. */
  note?: string;
};

export type BadInputRow = { as: SignedInRole; input: (world: World) => unknown; expect: number; field?: string };

export type RouteRow = {
  /** The route file, e.g. "app/api/v1/me/route.ts". */
  file: string;
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** How each role authenticates on this row. */
  auth: "cookie" | "bearer";
  /** Scopes of the Bearer token (default: all). */
  scopes?: Scope[];
  path: (world: World) => string;
  params?: (world: World) => Record<string, string> | Promise<Record<string, string>>;
  body?: (world: World, role: Role) => unknown;
  headers?: Record<string, string>;
  expect: Expectation;
  note?: string;
};

/**
 * A malformed request to a route, sent by one role that would otherwise succeed. `body` as a
 * string is sent raw (with its own content-type header), anything else as JSON.
 */
export type BadRequestRow = Omit<RouteRow, "expect" | "body" | "note"> & { as: SignedInRole; body?: unknown; expect: number; field?: string };

export type PrivilegeRows = {
  procedures?: Record<string, ProcedureRow | ProcedureRow[]>;
  badInput?: Record<string, BadInputRow[]>;
  routes?: RouteRow[];
  badRequests?: BadRequestRow[];
};

/** `{ anonymous: 401, ...every signed-in role: status }`, with overrides. */
export function signedIn(status: number, overrides: Partial<Expectation> = {}): Expectation {
  return { anonymous: 401, user: status, buyer: status, holder: status, registrar: status, organizer: status, owner: status, staff: status, admin: status, ...overrides };
}

/** The same outcome for everyone, anonymous included, with overrides. */
export function everyone(status: number, overrides: Partial<Expectation> = {}): Expectation {
  return { ...signedIn(status), anonymous: status, ...overrides };
}
