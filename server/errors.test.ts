import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { loadForPage } from "@/app/_lib/load-for-page";
import type { Db } from "@/db/client";
import { BUSY_RETRY_AFTER_SECONDS } from "@/db/errors";
import { AppError, BUSY_MESSAGE, fieldsOf, rateLimited, type AppErrorCode } from "@/server/errors";
import { errorResponseFrom } from "@/server/http/respond";
import { createCallerFactory, createInnerContext, errorResponseMeta, publicProcedure, router, type Context } from "@/server/trpc";

/**
 * The domain's one error type as each transport answers it (server/errors.ts): REST in
 * server/http/respond.ts, tRPC in server/trpc.ts, pages in app/_lib/load-for-page.ts.
 */

// The pages' answers are Next.js navigations, which throw to interrupt rendering; here they throw
// what the test can recognize.
const { Navigation } = vi.hoisted(() => ({ Navigation: class Navigation extends Error {} }));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next/navigation")>()),
  notFound: () => {
    throw new Navigation("not-found");
  },
  forbidden: () => {
    throw new Navigation("forbidden");
  },
  redirect: (url: string) => {
    throw new Navigation(`redirect ${url}`);
  },
}));

/** Every code, with what REST and tRPC answer (tRPC has no 410). */
const EXPECTED = {
  BAD_REQUEST: { status: 400, trpc: "BAD_REQUEST", trpcStatus: 400 },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED", trpcStatus: 401 },
  FORBIDDEN: { status: 403, trpc: "FORBIDDEN", trpcStatus: 403 },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND", trpcStatus: 404 },
  CONFLICT: { status: 409, trpc: "CONFLICT", trpcStatus: 409 },
  GONE: { status: 410, trpc: "NOT_FOUND", trpcStatus: 404 },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE", trpcStatus: 413 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE", trpcStatus: 415 },
  TOO_MANY_REQUESTS: { status: 429, trpc: "TOO_MANY_REQUESTS", trpcStatus: 429 },
  SERVICE_UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE", trpcStatus: 503 },
} as const satisfies Record<AppErrorCode, { status: number; trpc: string; trpcStatus: number }>;

const CODES = Object.keys(EXPECTED) as AppErrorCode[];
const FIELDS = { email: "This email is already on the team" };

/** What SQLite throws when another connection held the lock past the busy timeout. */
const databaseBusy = () => Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });

let logged: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  logged = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => logged.mockRestore());

describe("REST: the JSON error contract", () => {
  const apiRequest = () => new Request("http://localhost/api/v1/checkin", { method: "POST", headers: { accept: "application/json" } });

  async function answer(error: unknown) {
    const response = errorResponseFrom(apiRequest(), error);
    return { status: response.status, retryAfter: response.headers.get("retry-after"), cacheControl: response.headers.get("cache-control"), body: await response.json() };
  }

  it.each(CODES)("answers %s with its status, code, message and fields", async (code) => {
    expect(await answer(new AppError(code, "What went wrong", { fields: FIELDS }))).toEqual({
      status: EXPECTED[code].status,
      retryAfter: null,
      cacheControl: "private, no-store",
      body: { error: { code, message: "What went wrong", fields: FIELDS } },
    });
  });

  it("leaves out fields when there are none", async () => {
    expect((await answer(new AppError("NOT_FOUND", "No such order"))).body).toEqual({ error: { code: "NOT_FOUND", message: "No such order" } });
  });

  it("sends Retry-After with a rate limit, and names the field", async () => {
    const { status, retryAfter, body } = await answer(rateLimited(120, "Too many emails to this address", "email"));
    expect({ status, retryAfter }).toEqual({ status: 429, retryAfter: "120" });
    expect(body.error).toEqual({ code: "TOO_MANY_REQUESTS", message: "Too many emails to this address. Try again in 2 minute(s).", fields: { email: "Too many emails to this address. Try again in 2 minute(s)." } });
  });

  it("answers a busy database 503 with Retry-After, like an AppError, never 500", async () => {
    expect(await answer(databaseBusy())).toEqual({
      status: 503,
      retryAfter: String(BUSY_RETRY_AFTER_SECONDS),
      cacheControl: "private, no-store",
      body: { error: { code: "SERVICE_UNAVAILABLE", message: BUSY_MESSAGE } },
    });
    expect(logged).not.toHaveBeenCalled();
  });

  it("puts a precise reason in place of the code, and the details beside the message", async () => {
    const error = new AppError("CONFLICT", "Already checked in", { reason: "ALREADY_CHECKED_IN", details: { checkedInAt: "2030-01-01T10:00:00.000Z", checkedInBy: null } });
    expect(await answer(error)).toMatchObject({
      status: 409,
      body: { error: { code: "ALREADY_CHECKED_IN", message: "Already checked in", checkedInAt: "2030-01-01T10:00:00.000Z", checkedInBy: null } },
    });
  });

  it("answers input that failed its schema 400, naming each field", async () => {
    const invalid = z.object({ email: z.email("Enter an email address") }).safeParse({ email: "nope" });
    expect(await answer(invalid.error)).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST", fields: { email: "Enter an email address" } } } });
  });

  it("answers anything else 500 without its message, and logs it", async () => {
    expect(await answer(new Error("SELECT * FROM users failed at /srv/admit/db.ts"))).toMatchObject({
      status: 500,
      body: { error: { code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side" } },
    });
    expect(logged).toHaveBeenCalled();
  });

  it("gives a browser following a link a page with the same status", async () => {
    const response = errorResponseFrom(new Request("http://localhost/tickets/x", { headers: { accept: "text/html" } }), new AppError("FORBIDDEN", "This order belongs to another account"));
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("This order belongs to another account");
  });
});

describe("tRPC: codes, fields and Retry-After", () => {
  // A procedure that throws whatever the test gives it, and one with an input schema.
  let thrown: unknown;
  const testRouter = router({
    fail: publicProcedure.query(() => {
      throw thrown;
    }),
    named: publicProcedure.input(z.object({ name: z.string().min(1, "Enter a name") })).query(({ input }) => input.name),
  });
  const context = (): Context => createInnerContext({ db: {} as Db });

  async function overHttp(error: unknown, options: { inContext?: boolean } = {}) {
    thrown = error;
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request("http://localhost/api/trpc/fail"),
      router: testRouter,
      createContext: () => {
        if (options.inContext) throw error;
        return context();
      },
      responseMeta: errorResponseMeta,
    });
    const body = (await response.json()) as { error: { message: string; data: { code: string; httpStatus: number; fields?: Record<string, string> } } };
    return { status: response.status, retryAfter: response.headers.get("retry-after"), error: body.error };
  }

  it.each(CODES)("fails a direct call (createCaller) that threw %s with its tRPC code and fields", async (code) => {
    thrown = new AppError(code, "What went wrong", { fields: FIELDS });
    const error = await createCallerFactory(testRouter)(context()).fail().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect({ code: (error as TRPCError).code, message: (error as TRPCError).message, fields: fieldsOf(error) }).toEqual({ code: EXPECTED[code].trpc, message: "What went wrong", fields: FIELDS });
    expect((error as TRPCError).cause).toBe(thrown);
  });

  it.each(CODES)("answers %s over HTTP with its status, code, message and data.fields", async (code) => {
    const { status, error } = await overHttp(new AppError(code, "What went wrong", { fields: FIELDS }));
    expect(status).toBe(EXPECTED[code].trpcStatus);
    expect(error.message).toBe("What went wrong");
    expect(error.data).toMatchObject({ code: EXPECTED[code].trpc, httpStatus: EXPECTED[code].trpcStatus, fields: FIELDS });
  });

  it("sends Retry-After with a rate limit", async () => {
    expect(await overHttp(rateLimited(90, "Too many wrong passwords", "currentPassword"))).toMatchObject({
      status: 429,
      retryAfter: "90",
      error: { data: { code: "TOO_MANY_REQUESTS", fields: { currentPassword: expect.stringContaining("Too many wrong passwords") } } },
    });
  });

  it.each([
    ["in a procedure", {}],
    ["while building the context", { inContext: true }],
  ])("answers a busy database %s 503 with Retry-After", async (_, options) => {
    expect(await overHttp(databaseBusy(), options)).toMatchObject({
      status: 503,
      retryAfter: String(BUSY_RETRY_AFTER_SECONDS),
      error: { message: BUSY_MESSAGE, data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } },
    });
  });

  it("answers anything else 500 without its message", async () => {
    expect(await overHttp(new Error("SELECT * FROM users failed"))).toMatchObject({
      status: 500,
      retryAfter: null,
      error: { message: "Something went wrong on our side", data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 } },
    });
  });

  it("still names the fields of input that failed its schema", async () => {
    const error = await createCallerFactory(testRouter)(context()).named({ name: "" }).catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect(fieldsOf(error)).toEqual({ name: "Enter a name" });
  });
});

describe("pages: not found, not yours, sign in", () => {
  const PAGES: Partial<Record<AppErrorCode, string>> = {
    NOT_FOUND: "not-found",
    GONE: "not-found",
    FORBIDDEN: "forbidden",
    UNAUTHORIZED: `redirect /signin?callbackUrl=${encodeURIComponent("/orders/abc?x=1")}`,
  };

  it.each(CODES)("shows the page for %s, or leaves it to the error page", async (code) => {
    const thrown = new AppError(code, "What went wrong");
    const outcome = await loadForPage(() => Promise.reject(thrown), "/orders/abc?x=1").catch((e: unknown) => e);
    if (PAGES[code]) {
      expect(outcome).toBeInstanceOf(Navigation);
      expect((outcome as Error).message).toBe(PAGES[code]);
    } else expect(outcome).toBe(thrown);
  });

  it("returns what the loader loaded", async () => {
    expect(await loadForPage(async () => "the order", "/orders/abc")).toBe("the order");
  });

  it("leaves a busy database and bugs to the error page", async () => {
    const busy = databaseBusy();
    expect(await loadForPage(() => Promise.reject(busy), "/").catch((e: unknown) => e)).toBe(busy);
  });
});
