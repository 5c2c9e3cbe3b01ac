import { z } from "zod";
import { db } from "@/db/client";
import { requireEventPermission } from "@/server/access";
import { attemptCheckIn, refusalOf } from "@/server/checkin/checkin";
import { doorCodeInput, oneReference, referenceOf, secretInput } from "@/server/checkin/schemas";
import { requireBearer } from "@/server/http/caller";
import { json, readJson, route } from "@/server/http/respond";

const checkInRequest = z
  .object({
    /** The QR code's content, or */
    secret: secretInput.optional(),
    /** the short code printed under it (typed codes count against the session's rate limit). */
    code: doorCodeInput.optional(),
    /** Optional: a scanner bound to one event refuses tickets of any other. */
    eventId: z.string().min(1).max(64).optional(),
  })
  .superRefine(oneReference);

/** Scanner devices: 200 checked in · 409 already (with when) · 410 cancelled · 403 · 404 · 429 too many typed codes. */
export const POST = route(async (request) => {
  const caller = await requireBearer(request, "POST /api/v1/checkin");
  const input = await readJson(request, checkInRequest);
  const event = input.eventId ? await requireEventPermission(db(), caller, input.eventId, "check_in") : null;
  const outcome = await attemptCheckIn(db(), caller, { ...referenceOf(input), event });
  if (outcome.status !== "checked_in") throw refusalOf(outcome);
  return json({ status: "checked_in", checkedInAt: new Date(outcome.checkedInAt).toISOString(), attendee: outcome.attendee, ticketType: outcome.ticketType, event: outcome.event });
});
