"use client";

import { describedBy, Field, FieldError, FormError, useFocusFirstError } from "@/app/_components/form-field";
import { useHydrated } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fieldErrors, trpc } from "@/app/_components/trpc";
import { formatMoney } from "@/server/events/format";
import { CheckInbox } from "@/app/_components/check-inbox";

type TicketTypeOption = { id: string; name: string; priceCents: number; currency: string; remaining: number };
type Person = { name: string; email: string };

/** Mirrors the server's per-order cap; the server still decides. */
const MAX_PER_ORDER = 20;

function parseQuantity(text: string): number {
  return text.trim() === "" ? 0 : Number(text);
}

/** How many attendee rows to show for what was typed (the server judges the number itself). */
function rowsFor(text: string): number {
  const n = parseQuantity(text);
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_PER_ORDER) : 0;
}

/**
 * Checkout. `buyer` is the signed-in account; without one it is a guest checkout: the buyer gives
 * a name and email here, and gets the order by a link mailed to that address.
 */
export function CheckoutForm(props: { eventId: string; ticketTypes: TicketTypeOption[]; buyer: Person | null }) {
  const hydrated = useHydrated();
  const router = useRouter();
  const place = trpc.orders.place.useMutation();
  const [quantities, setQuantities] = useState<Record<string, string>>(() =>
    Object.fromEntries(props.ticketTypes.map((type, index) => [type.id, index === 0 && type.remaining > 0 ? "1" : "0"])),
  );
  const [people, setPeople] = useState<Record<string, Person>>({});
  const [guest, setGuest] = useState<Person>({ name: "", email: "" });
  const [emailedTo, setEmailedTo] = useState<string | null>(null);
  const buyer = props.buyer ?? guest;
  // The request as sent, so that error paths like "items.1.quantity" can be put back in place.
  const [sent, setSent] = useState<{ items: { ticketTypeId: string }[] } | null>(null);

  // One attendee row per ticket, in ticket-type order; the buyer is prefilled for the first.
  const rows = props.ticketTypes.flatMap((type) =>
    Array.from({ length: rowsFor(quantities[type.id] ?? "0") }, (_, index) => ({ key: `${type.id}:${index}`, type, index })),
  );
  const personAt = (key: string, position: number): Person => people[key] ?? (position === 0 ? buyer : { name: "", email: "" });

  const errors = fieldErrors(place.error);
  const formRef = useFocusFirstError(place.error);
  const quantityError = (ticketTypeId: string) => {
    const index = sent?.items.findIndex((item) => item.ticketTypeId === ticketTypeId) ?? -1;
    return index === -1 ? undefined : (errors[`items.${index}.quantity`] ?? errors[`items.${index}.ticketTypeId`]);
  };
  const placed = new Set(Object.keys(errors).filter((key) => /^items\.\d+\.(quantity|ticketTypeId)$/.test(key) || /^attendees\.\d+\./.test(key) || /^buyer\./.test(key)));
  const otherErrors = Object.entries(errors).filter(([key]) => !placed.has(key)).map(([, message]) => message);
  const conflict = place.error?.data?.code === "CONFLICT";

  const allValid = props.ticketTypes.every((type) => rowsFor(quantities[type.id] ?? "0") === parseQuantity(quantities[type.id] ?? "0"));
  const total = props.ticketTypes.reduce((sum, type) => sum + rowsFor(quantities[type.id] ?? "0") * type.priceCents, 0);
  const currency = props.ticketTypes[0]?.currency ?? "EUR";

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const items = props.ticketTypes
      .filter((type) => parseQuantity(quantities[type.id] ?? "0") !== 0)
      .map((type) => ({ ticketTypeId: type.id, quantity: parseQuantity(quantities[type.id]) }));
    const attendees = rows.map((row, position) => ({ ticketTypeId: row.type.id, ...personAt(row.key, position) }));
    setSent({ items });
    place.mutate(
      { eventId: props.eventId, items, attendees, buyer: props.buyer ? undefined : guest },
      {
        // A guest opens the order from the link mailed to them; a signed-in buyer goes straight there.
        onSuccess: ({ id, emailedTo }) => (emailedTo ? setEmailedTo(emailedTo) : router.push(`/orders/${id}?placed=1`)),
        // Someone else got the last seats: show the fresh numbers alongside the message.
        onError: (error) => error.data?.code === "CONFLICT" && router.refresh(),
      },
    );
  }

  if (emailedTo) {
    return (
      <CheckInbox to={emailedTo}>
        Your order is placed. Follow the link to see it and download your tickets on this device; each attendee gets a link to their own ticket.
      </CheckInbox>
    );
  }

  return (
    <form ref={formRef} method="post" onSubmit={submit} noValidate className="space-y-6" aria-label="Checkout">
      {!props.buyer && (
        <fieldset className="space-y-3">
          <legend className="text-lg font-semibold">Your details</legend>
          <p className="text-sm text-slate-600">No account needed: we email you a link to your order.</p>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field id="guest-name" label="Your name" error={errors["buyer.name"]}>
              <input id="guest-name" className="input" autoComplete="name" value={guest.name} onChange={(e) => setGuest({ ...guest, name: e.target.value })} {...describedBy("guest-name", errors["buyer.name"])} />
            </Field>
            <Field id="guest-email" label="Your email" error={errors["buyer.email"]}>
              <input id="guest-email" className="input" type="email" autoComplete="email" value={guest.email} onChange={(e) => setGuest({ ...guest, email: e.target.value })} {...describedBy("guest-email", errors["buyer.email"])} />
            </Field>
          </div>
        </fieldset>
      )}
      <fieldset className="space-y-3">
        <legend className="text-lg font-semibold">How many?</legend>
        {props.ticketTypes.map((type) => {
          const id = `quantity-${type.id}`;
          const error = quantityError(type.id);
          return (
            <div key={type.id} className="flex flex-wrap items-center gap-3">
              <label htmlFor={id} className="w-48 text-sm font-medium text-slate-700">
                {type.name} <span className="text-slate-600">({formatMoney(type.priceCents, type.currency)})</span>
              </label>
              <input
                id={id}
                name={id}
                className="input w-24"
                type="number"
                inputMode="numeric"
                min={0}
                max={Math.min(type.remaining, MAX_PER_ORDER)}
                disabled={type.remaining === 0}
                value={type.remaining === 0 ? "0" : (quantities[type.id] ?? "0")}
                onChange={(e) => setQuantities({ ...quantities, [type.id]: e.target.value })}
                {...describedBy(id, error)}
              />
              {type.remaining === 0 && <span className="text-sm font-medium text-red-700">Sold out</span>}
              <div className="w-full">
                <FieldError id={id} error={error} />
              </div>
            </div>
          );
        })}
      </fieldset>

      {rows.length > 0 && (
        <fieldset className="space-y-4">
          <legend className="text-lg font-semibold">Who is coming?</legend>
          <p className="text-sm text-slate-600">Each ticket is for one person. We email each of them a link to their ticket.</p>
          {rows.map((row, position) => {
            const person = personAt(row.key, position);
            const nameError = errors[`attendees.${position}.name`];
            const emailError = errors[`attendees.${position}.email`] ?? errors[`attendees.${position}.ticketTypeId`];
            const base = `attendee-${position}`;
            const update = (patch: Partial<Person>) => setPeople({ ...people, [row.key]: { ...person, ...patch } });
            return (
              <div key={row.key} className="grid gap-3 rounded-lg border border-slate-200 p-4 sm:grid-cols-2" data-testid="attendee-row">
                <p className="text-sm font-medium text-slate-700 sm:col-span-2">
                  Ticket {position + 1}: {row.type.name}
                </p>
                <Field id={`${base}-name`} label={`Attendee ${position + 1} name`} error={nameError}>
                  <input
                    id={`${base}-name`}
                    className="input"
                    autoComplete={position === 0 ? "name" : "off"}
                    value={person.name}
                    onChange={(e) => update({ name: e.target.value })}
                    {...describedBy(`${base}-name`, nameError)}
                  />
                </Field>
                <Field id={`${base}-email`} label={`Attendee ${position + 1} email`} error={emailError}>
                  <input
                    id={`${base}-email`}
                    className="input"
                    type="email"
                    autoComplete={position === 0 ? "email" : "off"}
                    value={person.email}
                    onChange={(e) => update({ email: e.target.value })}
                    {...describedBy(`${base}-email`, emailError)}
                  />
                </Field>
              </div>
            );
          })}
        </fieldset>
      )}

      {place.error && (
        <FormError className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {conflict ? (
            <p>
              <strong>{place.error.message}.</strong> Someone else got these tickets while you were choosing; the numbers above
              are up to date.
            </p>
          ) : otherErrors.length ? (
            otherErrors.map((message) => <p key={message}>{message}</p>)
          ) : Object.keys(errors).length ? (
            <p>Please fix the fields marked above.</p>
          ) : (
            <p>{place.error.message}</p>
          )}
        </FormError>
      )}

      <div className="flex flex-wrap items-center justify-between gap-4 border-t border-slate-100 pt-4">
        <p className="text-sm text-slate-700" aria-live="polite">
          {rows.length === 0 ? "No tickets chosen" : `${rows.length} ${rows.length === 1 ? "ticket" : "tickets"}`}
          {allValid && rows.length > 0 && <> · Total <strong>{formatMoney(total, currency)}</strong></>}
        </p>
        <button className="btn" type="submit" disabled={!hydrated || place.isPending || place.isSuccess}>
          {place.isPending || place.isSuccess ? "Placing order…" : "Place order"}
        </button>
      </div>
      <p className="text-xs text-slate-600">Payment is arranged with the organizer; your tickets are issued right away.</p>
    </form>
  );
}
