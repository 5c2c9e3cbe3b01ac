import "server-only";
import type { TicketType } from "@/db/schema";
import { formatMomentInZone } from "@/lib/format";

/**
 * Whether a ticket type can be bought right now. The event page shows it, and placeOrder
 * enforces it in the order's transaction (hidden types aren't listed at all).
 */
export type SaleState = "on_sale" | "sold_out" | "not_yet" | "ended";

type SaleFields = Pick<TicketType, "quantity" | "sold" | "salesStartAt" | "salesEndAt">;

export function saleStateOf(type: SaleFields, now = Date.now()): SaleState {
  if (type.salesStartAt !== null && now < type.salesStartAt) return "not_yet";
  if (type.salesEndAt !== null && now >= type.salesEndAt) return "ended";
  return type.sold >= type.quantity ? "sold_out" : "on_sale";
}

/** Why the sale window refuses an order now, in the event's clock, or null when it is open. */
export function saleWindowProblem(type: SaleFields & Pick<TicketType, "name">, timeZone: string, now = Date.now()): string | null {
  const state = saleStateOf(type, now);
  if (state === "not_yet") return `“${type.name}” isn't on sale until ${formatMomentInZone(type.salesStartAt!, timeZone, now)}`;
  if (state === "ended") return `“${type.name}” is no longer on sale (sales closed ${formatMomentInZone(type.salesEndAt!, timeZone, now)})`;
  return null;
}
