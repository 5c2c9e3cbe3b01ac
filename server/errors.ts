import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod";

/** Carried as a TRPCError's cause so the per-field messages reach the client. */
export class FieldMessages extends Error {
  constructor(public readonly fields: Record<string, string>) {
    super(Object.values(fields).join("; "));
    this.name = "FieldMessages";
  }
}

type Code = ConstructorParameters<typeof TRPCError>[0]["code"];

/** An expected failure tied to input fields, e.g. `fieldError("CONFLICT", { email: "taken" })`. */
export function fieldError(code: Code, fields: Record<string, string>, message?: string): TRPCError {
  return new TRPCError({ code, message: message ?? Object.values(fields)[0], cause: new FieldMessages(fields) });
}

export function notFound(what = "Not found"): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: what });
}

export function forbidden(message = "You don't have access to this"): TRPCError {
  return new TRPCError({ code: "FORBIDDEN", message });
}

export function unauthorized(message = "Sign in to continue"): TRPCError {
  return new TRPCError({ code: "UNAUTHORIZED", message });
}

/**
 * Rate limited: the HTTP layer adds Retry-After from `retryAfterSeconds`. `what` says what there
 * was too much of; `field`, if given, is where a form shows it.
 */
export class RateLimitedError extends TRPCError {
  constructor(
    public readonly retryAfterSeconds: number,
    what = "Too many failed sign-ins",
    field?: string,
  ) {
    const message = `${what}. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`;
    super({ code: "TOO_MANY_REQUESTS", message, cause: field ? new FieldMessages({ [field]: message }) : undefined });
  }
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

export function fieldsOf(error: TRPCError): Record<string, string> | undefined {
  if (error.cause instanceof ZodError) return zodFields(error.cause);
  if (error.cause instanceof FieldMessages) return error.cause.fields;
  return undefined;
}

export function statusOf(error: TRPCError): number {
  return getHTTPStatusCodeFromError(error);
}
