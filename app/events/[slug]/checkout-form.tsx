"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { CheckInbox } from "@/app/_components/check-inbox";
import { describedBy, Field, FieldError, FormError, useFocusFirstError } from "@/app/_components/form-field";
import { fieldErrors, trpc } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";
import { formatMoney, formatMomentInZone } from "@/lib/format";
import type { PublicTicketType } from "@/server/events/service";

type Person = { name: string; email: string };

/** Mirrors the server's per-order cap (server/orders/schemas.ts); the server still decides. */
const MAX_PER_ORDER = 20;

/** The most of one type a buyer can choose: what's left, the type's own limit, the order's cap. */
function maxOf(type: PublicTicketType): number {
  if (type.saleState !== "on_sale") return 0;
  return Math.min(type.remaining, type.maxPerOrder ?? MAX_PER_ORDER, MAX_PER_ORDER);
}

/** "12 left", "Sold out", "On sale from 1 Jun 2030, 10:00", "Sales closed". */
function availability(type: PublicTicketType, timeZone: string): { text: string; open: boolean } {
  switch (type.saleState) {
    case "sold_out":
      return { text: "Sold out", open: false };
    case "not_yet":
      return { text: `On sale from ${formatMomentInZone(type.salesStartAt!, timeZone)}`, open: false };
    case "ended":
      return { text: "Sales closed", open: false };
    case "on_sale":
      return { text: `${type.remaining.toLocaleString("en")} left`, open: true };
  }
}

/**
 * The event's tickets and checkout in one: each ticket row has its own quantity (all start at 0,
 * so nobody buys what they didn't choose), states its limit per order before it is reached, and
 * says plainly when a type is sold out or not on sale now. `buyer` is the signed-in account;
 * without one it is a guest checkout: the buyer gives a name and email here, and gets the order
 * by a link mailed to that address.
 */
export function CheckoutForm(props: { eventId: string; timeZone: string; ticketTypes: PublicTicketType[]; buyer: Person | null }) {
  const hydrated = useHydrated();
  const router = useRouter();
  const place = trpc.orders.place.useMutation();
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [people, setPeople] = useState<Record<string, Person>>({});
  const [guest, setGuest] = useState<Person>({ name: "", email: "" });
  const [emailedTo, setEmailedTo] = useState<string | null>(null);
  const buyer = props.buyer ?? guest;
  // The request as sent, so that error paths like "items.1.quantity" can be put back in place.
  const [sent, setSent] = useState<{ items: { ticketTypeId: string }[] } | null>(null);

  const quantityOf = (type: PublicTicketType) => Math.min(quantities[type.id] ?? 0, maxOf(type));
  // One attendee row per ticket, in ticket-type order; the buyer is prefilled for the first.
  const rows = props.ticketTypes.flatMap((type) => Array.from({ length: quantityOf(type) }, (_, index) => ({ key: `${type.id}:${index}`, type, index })));
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

  const total = props.ticketTypes.reduce((sum, type) => sum + quantityOf(type) * type.priceCents, 0);
  const currency = props.ticketTypes[0]?.currency ?? "EUR";

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const items = props.ticketTypes.filter((type) => quantityOf(type) > 0).map((type) => ({ ticketTypeId: type.id, quantity: quantityOf(type) }));
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
      <ul className="divide-y divide-slate-100" aria-label="Ticket types">
        {props.ticketTypes.map((type) => {
          const id = `quantity-${type.id}`;
          const error = quantityError(type.id);
          const max = maxOf(type);
          const state = availability(type, props.timeZone);
          return (
            <li key={type.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="ticket-type">
              <div className="min-w-0 flex-1">
                <label htmlFor={id} className="font-medium">
                  {type.name}
                </label>
                {type.description && <p className="text-sm text-slate-600">{type.description}</p>}
                <p className="text-sm">
                  <span>{formatMoney(type.priceCents, type.currency)}</span>
                  {" · "}
                  <span className={state.open ? "text-slate-600" : "font-medium text-red-700"}>{state.text}</span>
                  {state.open && type.maxPerOrder !== null && <span className="text-slate-600"> · up to {type.maxPerOrder} per order</span>}
                </p>
              </div>
              <select
                id={id}
                name={id}
                className="input min-h-11 w-24 text-base"
                disabled={max === 0}
                value={quantityOf(type)}
                onChange={(e) => setQuantities({ ...quantities, [type.id]: Number(e.target.value) })}
                {...describedBy(id, error)}
              >
                {Array.from({ length: max + 1 }, (_, n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              <div className="w-full">
                <FieldError id={id} error={error} />
              </div>
            </li>
          );
        })}
      </ul>

      {rows.length > 0 && (
        <fieldset className="space-y-4">
          <legend className="text-lg font-semibold">Who is coming?</legend>
          <p className="text-sm text-slate-600">Each ticket is for one person. We email each of them a link to their ticket.</p>
          {rows.map((row, position) => (
            <AttendeeRow
              key={row.key}
              position={position}
              typeName={row.type.name}
              person={personAt(row.key, position)}
              errors={errors}
              onChange={(person) => setPeople({ ...people, [row.key]: person })}
            />
          ))}
        </fieldset>
      )}

      {place.error && (
        <FormError className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {conflict ? (
            <p>
              <strong>{place.error.message}.</strong> Someone else got these tickets while you were choosing; the numbers above are up to date.
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
          {rows.length > 0 && <> · Total <strong>{formatMoney(total, currency)}</strong></>}
          <span className="text-slate-600"> · at most {MAX_PER_ORDER} per order</span>
        </p>
        <button className="btn min-h-11" type="submit" disabled={!hydrated || rows.length === 0 || place.isPending || place.isSuccess}>
          {place.isPending || place.isSuccess ? "Placing order…" : "Place order"}
        </button>
      </div>
      <p className="text-xs text-slate-600">Payment is arranged with the organizer; your tickets are issued right away.</p>
    </form>
  );
}

function AttendeeRow(props: { position: number; typeName: string; person: Person; errors: Record<string, string>; onChange: (person: Person) => void }) {
  const { position, person, errors } = props;
  const nameError = errors[`attendees.${position}.name`];
  const emailError = errors[`attendees.${position}.email`] ?? errors[`attendees.${position}.ticketTypeId`];
  const base = `attendee-${position}`;
  return (
    <div className="grid gap-3 rounded-lg border border-slate-200 p-4 sm:grid-cols-2" data-testid="attendee-row">
      <p className="text-sm font-medium text-slate-700 sm:col-span-2">
        Ticket {position + 1}: {props.typeName}
      </p>
      <Field id={`${base}-name`} label={`Attendee ${position + 1} name`} error={nameError}>
        <input
          id={`${base}-name`}
          className="input"
          autoComplete={position === 0 ? "name" : "off"}
          value={person.name}
          onChange={(e) => props.onChange({ ...person, name: e.target.value })}
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
          onChange={(e) => props.onChange({ ...person, email: e.target.value })}
          {...describedBy(`${base}-email`, emailError)}
        />
      </Field>
    </div>
  );
}
