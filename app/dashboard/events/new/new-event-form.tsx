"use client";

import { useBrowserValue, useHydrated } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describedBy, Field, FormError, TimeZoneOptions, useFocusFirstError } from "@/app/_components/form-field";
import { fieldErrors, trpc, type RouterInputs } from "@/app/_components/trpc";
import { parsePriceToCents } from "@/lib/format";

type TicketTypeDraft = { key: number; name: string; price: string; quantity: string };

const localTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

let nextKey = 1;
const blankTicketType = (name = ""): TicketTypeDraft => ({ key: nextKey++, name, price: "0.00", quantity: "100" });

export function NewEventForm(props: { timeZones: string[]; currencies: string[] }) {
  const hydrated = useHydrated();
  const router = useRouter();
  const create = trpc.events.create.useMutation({ onSuccess: ({ slug }) => router.push(`/events/${slug}`) });
  const errors = fieldErrors(create.error);
  const formRef = useFocusFirstError(create.error);
  const [chosenZone, setChosenZone] = useState<string | null>(null);
  const [ticketTypes, setTicketTypes] = useState<TicketTypeDraft[]>(() => [blankTicketType("General admission")]);

  // Until the organizer picks one, their own zone is the likeliest answer; only the browser knows it.
  const browserZone = useBrowserValue(localTimeZone, null);
  const timeZone = chosenZone ?? (browserZone !== null && props.timeZones.includes(browserZone) ? browserZone : "UTC");

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    create.mutate({
      name: text("name"),
      description: text("description"),
      venue: text("venue"),
      startsAtLocal: text("startsAtLocal"),
      endsAtLocal: text("endsAtLocal"),
      timeZone,
      currency: text("currency") as RouterInputs["events"]["create"]["currency"],
      published: form.get("published") === "on",
      ticketTypes: ticketTypes.map((type) => ({
        name: type.name,
        // Unparseable amounts go as NaN (null on the wire), which the server names per field.
        priceCents: parsePriceToCents(type.price) ?? Number.NaN,
        quantity: type.quantity.trim() === "" ? Number.NaN : Number(type.quantity),
      })),
    });
  }

  const update = (key: number, patch: Partial<TicketTypeDraft>) =>
    setTicketTypes(ticketTypes.map((type) => (type.key === key ? { ...type, ...patch } : type)));

  const unplaced = Object.entries(errors).filter(([key]) => !KNOWN_FIELDS.test(key));

  return (
    <form ref={formRef} method="post" className="space-y-5" noValidate onSubmit={submit} aria-label="New event">
      <Field id="name" label="Event name" error={errors.name}>
        <input className="input" id="name" name="name" {...describedBy("name", errors.name)} />
      </Field>
      <Field id="description" label="Description (optional)" error={errors.description}>
        <textarea className="input min-h-24" id="description" name="description" {...describedBy("description", errors.description)} />
      </Field>
      <Field id="venue" label="Venue" error={errors.venue}>
        <input className="input" id="venue" name="venue" {...describedBy("venue", errors.venue)} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="startsAtLocal" label="Starts" error={errors.startsAtLocal}>
          <input className="input" id="startsAtLocal" name="startsAtLocal" type="datetime-local" {...describedBy("startsAtLocal", errors.startsAtLocal)} />
        </Field>
        <Field id="endsAtLocal" label="Ends" error={errors.endsAtLocal}>
          <input className="input" id="endsAtLocal" name="endsAtLocal" type="datetime-local" {...describedBy("endsAtLocal", errors.endsAtLocal)} />
        </Field>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="timeZone" label="Time zone (where the event happens)" error={errors.timeZone}>
          <select
            className="input"
            id="timeZone"
            name="timeZone"
            value={timeZone}
            onChange={(e) => setChosenZone(e.target.value)}
            {...describedBy("timeZone", errors.timeZone)}
          >
            <TimeZoneOptions zones={props.timeZones} />
          </select>
        </Field>
        <Field id="currency" label="Currency" error={errors.currency}>
          <select className="input" id="currency" name="currency" defaultValue="EUR" {...describedBy("currency", errors.currency)}>
            {props.currencies.map((currency) => (
              <option key={currency}>{currency}</option>
            ))}
          </select>
        </Field>
      </div>

      <fieldset className="space-y-3">
        <legend className="text-base font-semibold">Ticket types</legend>
        <FormError>{errors.ticketTypes}</FormError>
        {ticketTypes.map((type, index) => {
          const base = `ticketTypes.${index}`;
          return (
            <div key={type.key} className="grid gap-3 rounded-lg border border-slate-200 p-3 sm:grid-cols-[1fr_8rem_8rem_auto]" data-testid="ticket-type-row">
              <Field id={`${base}.name`} label={`Ticket type ${index + 1} name`} error={errors[`${base}.name`]}>
                <input className="input" id={`${base}.name`} value={type.name} onChange={(e) => update(type.key, { name: e.target.value })} {...describedBy(`${base}.name`, errors[`${base}.name`])} />
              </Field>
              <Field id={`${base}.priceCents`} label="Price" error={errors[`${base}.priceCents`]}>
                <input className="input" id={`${base}.priceCents`} inputMode="decimal" value={type.price} onChange={(e) => update(type.key, { price: e.target.value })} {...describedBy(`${base}.priceCents`, errors[`${base}.priceCents`])} />
              </Field>
              <Field id={`${base}.quantity`} label="On sale" error={errors[`${base}.quantity`]}>
                <input className="input" id={`${base}.quantity`} type="number" min={1} inputMode="numeric" value={type.quantity} onChange={(e) => update(type.key, { quantity: e.target.value })} {...describedBy(`${base}.quantity`, errors[`${base}.quantity`])} />
              </Field>
              <div className="flex items-end">
                <button
                  type="button"
                  className="btn-danger"
                  disabled={ticketTypes.length === 1}
                  onClick={() => setTicketTypes(ticketTypes.filter((t) => t.key !== type.key))}
                  aria-label={`Remove ticket type ${index + 1}`}
                >
                  Remove
                </button>
              </div>
            </div>
          );
        })}
        <button type="button" className="btn-secondary" onClick={() => setTicketTypes([...ticketTypes, blankTicketType()])} disabled={ticketTypes.length >= 20}>
          Add a ticket type
        </button>
      </fieldset>

      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="published" className="h-4 w-4" />
        Publish now (list it on the home page and open ticket sales)
      </label>

      {create.error && (unplaced.length > 0 || Object.keys(errors).length === 0) && (
        <FormError>{unplaced.length ? unplaced.map(([key, message]) => <p key={key}>{message}</p>) : <p>{create.error.message}</p>}</FormError>
      )}

      <button className="btn" type="submit" disabled={!hydrated || create.isPending || create.isSuccess}>
        {create.isPending || create.isSuccess ? "Creating…" : "Create event"}
      </button>
    </form>
  );
}

const KNOWN_FIELDS = /^(name|description|venue|startsAtLocal|endsAtLocal|timeZone|currency|ticketTypes(\.\d+\.(name|priceCents|quantity))?)$/;
