import "server-only";
import { z } from "zod";
import { idInput } from "@/server/trpc";
import { normalizeDoorCode } from "@/lib/door-code";
import type { TicketReference } from "./checkin";

/** What a QR code or handheld scanner sends: the check-in secret. */
export const secretInput = z.string({ error: "secret must be text" }).trim().min(1, "Scan or type a ticket code").max(512, "That is not a ticket code");

/** A typed door code, normalized (case, spaces, dashes, O/I/L); what can't be one is a 400 naming `code`. */
export const doorCodeInput = z
  .string({ error: "code must be text" })
  .max(64, "A door code has 10 letters and digits")
  .transform((typed, ctx) => {
    const code = normalizeDoorCode(typed);
    if (code === null) {
      ctx.issues.push({ code: "custom", message: `A door code has 10 letters and digits, like 7KQ2M-X9D4P`, input: typed });
      return z.NEVER;
    }
    return code;
  });

type ReferenceFields = { secret?: string; code?: string; attendeeId?: string };

/**
 * Exactly one way of naming the ticket. None: the secret is what's missing (scanners send it);
 * several: the extra one is named, so a client learns which to drop.
 */
export function oneReference<T extends ReferenceFields>(input: T, ctx: z.RefinementCtx): void {
  const given = (["secret", "code", "attendeeId"] as const).filter((key) => input[key] !== undefined);
  if (given.length === 0) ctx.issues.push({ code: "custom", path: ["secret"], message: "Send the ticket's secret or its door code", input });
  for (const extra of given.slice(1)) ctx.issues.push({ code: "custom", path: [extra], message: `Send only one of ${given.join(" and ")}`, input });
}

/** The reference a validated input names (oneReference has made sure there is exactly one). */
export function referenceOf(input: ReferenceFields): TicketReference {
  if (input.secret !== undefined) return { secret: input.secret };
  if (input.code !== undefined) return { code: input.code };
  return { attendeeId: input.attendeeId! };
}

/** The check-in screen: the QR secret (camera, handheld scanner), a typed code, or a search result. */
export const scanInputSchema = z
  .object({ secret: secretInput.optional(), code: doorCodeInput.optional(), attendeeId: idInput.optional() })
  .superRefine(oneReference);
