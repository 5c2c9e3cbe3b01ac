import { TRPCError } from "@trpc/server";
import { fieldsOf, statusOf } from "@/server/errors";

export type Failure = { status: number; code: string; message: string; fields: Record<string, string> };

/** How a call that must fail failed: HTTP status, tRPC code, message and per-field messages. */
export async function failure(call: Promise<unknown> | (() => unknown)): Promise<Failure> {
  try {
    await (typeof call === "function" ? call() : call);
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { status: statusOf(error), code: error.code, message: error.message, fields: fieldsOf(error) ?? {} };
  }
  throw new Error("expected the call to fail");
}
