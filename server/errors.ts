import "server-only";
import { ZodError } from "zod";
import { BUSY_RETRY_AFTER_SECONDS, isDatabaseBusy } from "@/db/errors";

/**
 * What went wrong, in words every transport understands. Each code is mapped exactly once per
 * transport: to an HTTP status and the JSON error body (server/http/respond.ts), to a tRPC code
 * (server/trpc.ts), and to a page (app/_lib/load-for-page.ts).
 */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "GONE"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE";

export type AppErrorOptions = {
  /** Per-field messages, e.g. `{ email: "taken" }`: where a form shows them. */
  fields?: Record<string, string>;
  /** When the same request may succeed: the transports send it as Retry-After. */
  retryAfterSeconds?: number;
  /** A more precise code for API clients than `code`, e.g. ALREADY_CHECKED_IN for a CONFLICT. */
  reason?: string;
  /** Facts for API clients beside the message, e.g. when a ticket was checked in. */
  details?: Record<string, unknown>;
  cause?: unknown;
};

/**
 * The one error type of the domain: an expected failure whose message is written for the person
 * or client that caused it. Anything else thrown is a bug, answered 500 without its message.
 */
export class AppError extends Error {
  readonly fields?: Record<string, string>;
  readonly retryAfterSeconds?: number;
  readonly reason?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.reason = options.reason;
    this.details = options.details;
  }
}

/** An expected failure tied to input fields, e.g. `fieldError("CONFLICT", { email: "taken" })`. */
export function fieldError(code: AppErrorCode, fields: Record<string, string>, message?: string): AppError {
  return new AppError(code, message ?? Object.values(fields)[0], { fields });
}

export function notFound(what = "Not found"): AppError {
  return new AppError("NOT_FOUND", what);
}

export function forbidden(message = "You don't have access to this"): AppError {
  return new AppError("FORBIDDEN", message);
}

export function unauthorized(message = "Sign in to continue"): AppError {
  return new AppError("UNAUTHORIZED", message);
}

/** Rate limited: `what` says what there was too much of; `field`, if given, is where a form shows it. */
export function rateLimited(retryAfterSeconds: number, what = "Too many failed sign-ins", field?: string): AppError {
  const message = `${what}. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`;
  return new AppError("TOO_MANY_REQUESTS", message, { retryAfterSeconds, fields: field ? { [field]: message } : undefined });
}

/** "attendees.0.email" → message, from a zod error. */
export function zodFields(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    fields[key] ??= issue.message;
  }
  return fields;
}

/** Input that failed its zod schema at a boundary, naming each field. */
export function invalidInput(error: ZodError): AppError {
  return new AppError("BAD_REQUEST", "Some fields are not valid", { fields: zodFields(error), cause: error });
}

export const BUSY_MESSAGE = "Admit is busy right now; try again in a few seconds";

/**
 * The AppError a thrown value stands for, or undefined for a bug. A database that is busy or
 * away (db/errors.ts) is no bug: the same request will work in a moment, so it is answered as
 * SERVICE_UNAVAILABLE with Retry-After, by every transport alike.
 */
export function appErrorOf(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isDatabaseBusy(error)) return new AppError("SERVICE_UNAVAILABLE", BUSY_MESSAGE, { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS, cause: error });
  return undefined;
}

/**
 * The per-field messages an error carries, looking through the causes a transport wraps it in
 * (tRPC keeps what a procedure threw, or the zod error of its input, as the cause).
 */
export function fieldsOf(error: unknown): Record<string, string> | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    if (cause instanceof AppError) return cause.fields;
    if (cause instanceof ZodError) return zodFields(cause);
  }
  return undefined;
}
