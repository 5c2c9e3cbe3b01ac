import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { AppError, fieldsOf } from "@/server/errors";
import { HTTP_STATUS } from "@/server/http/respond";

export type Failure = { status: number; code: string; message: string; fields: Record<string, string> };

/** A failure a test expects: a procedure's TRPCError or a domain function's AppError. */
export function isExpectedFailure(error: unknown): error is TRPCError | AppError {
  return error instanceof TRPCError || error instanceof AppError;
}

/** The HTTP status it answers with: tRPC's for a procedure's error, REST's for the domain's. */
export function statusOf(error: TRPCError | AppError): number {
  return error instanceof TRPCError ? getHTTPStatusCodeFromError(error) : HTTP_STATUS[error.code];
}

/** How a call that must fail failed: HTTP status, code, message and per-field messages. */
export async function failure(call: Promise<unknown> | (() => unknown)): Promise<Failure> {
  try {
    await (typeof call === "function" ? call() : call);
  } catch (error) {
    if (!isExpectedFailure(error)) throw error;
    return { status: statusOf(error), code: error.code, message: error.message, fields: fieldsOf(error) ?? {} };
  }
  throw new Error("expected the call to fail");
}
