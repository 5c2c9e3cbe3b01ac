"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { DoneMessage } from "@/app/_components/done-message";
import { describedBy, Field } from "@/app/_components/form-field";
import { fieldErrors, trpc } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";
import { formatMoney, parsePriceToCents } from "@/lib/format";
import { useRefreshFigures } from "../live-figures";

/** A ticket type as the settings form shows it; sale window times are wall-clock in the event's zone. */
export type TicketTypeDraft = {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  quantity: number;
  sold: number;
  salesStartsAtLocal: string;
  salesEndsAtLocal: string;
  maxPerOrder: number | null;
  hidden: boolean;
};

const BLANK: Omit<TicketTypeDraft, "id" | "currency"> = {
  name: "",
  description: "",
  priceCents: 0,
  quantity: 100,
  sold: 0,
  salesStartsAtLocal: "",
  salesEndsAtLocal: "",
  maxPerOrder: null,
  hidden: false,
};

/** The form's fields as the procedures take them; unreadable numbers go as NaN for the server to name. */
function settingsFrom(form: FormData) {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const maxPerOrder = text("maxPerOrder");
  return {
    name: text("name"),
    description: text("description"),
    priceCents: parsePriceToCents(text("price")) ?? Number.NaN,
    quantity: text("quantity") === "" ? Number.NaN : Number(text("quantity")),
    salesStartsAtLocal: text("salesStartsAtLocal"),
    salesEndsAtLocal: text("salesEndsAtLocal"),
    maxPerOrder: maxPerOrder === "" ? null : Number(maxPerOrder),
    hidden: form.get("hidden") === "on",
  };
}

/**
 * Every ticket type of the event, each editable in place, and a form to add one. What the server
 * refuses (quantity below sold, price of a sold type, an inverted sale window) comes back on the
 * field at fault; the price field is locked once tickets are sold, saying why.
 */
export function TicketTypesEditor(props: { eventId: string; timeZone: string; currency: string; types: TicketTypeDraft[] }) {
  const router = useRouter();
  const refreshFigures = useRefreshFigures();
  const [done, setDone] = useState("");
  const [removing, setRemoving] = useState<TicketTypeDraft | null>(null);
  const remove = trpc.ticketTypes.remove.useMutation({
    onSuccess: ({ outcome }) => {
      setDone(outcome === "deleted" ? `“${removing?.name}” is deleted.` : `“${removing?.name}” has sales, so it is hidden: no longer sold or shown on the event page.`);
      setRemoving(null);
      router.refresh();
      refreshFigures();
    },
  });
  const saved = (message: string) => {
    setDone(message);
    // The form's own figures come with the page; the header's capacity is the live query's.
    router.refresh();
    refreshFigures();
  };

  return (
    <section className="space-y-4" aria-labelledby="ticket-types-heading">
      <h2 id="ticket-types-heading" className="text-lg font-semibold">
        Ticket types
      </h2>
      <DoneMessage message={done} />
      {props.types.map((type) => (
        <TicketTypeForm
          key={`${type.id}:${type.sold}:${type.quantity}:${type.priceCents}`}
          eventId={props.eventId}
          timeZone={props.timeZone}
          type={type}
          onSaved={() => saved(`“${type.name}” is saved.`)}
          onRemove={() => {
            remove.reset();
            setDone("");
            setRemoving(type);
          }}
        />
      ))}
      <TicketTypeForm eventId={props.eventId} timeZone={props.timeZone} type={{ ...BLANK, id: "", currency: props.currency }} onSaved={() => saved("The new ticket type is on the event page.")} />

      <ConfirmDialog
        open={removing !== null}
        title={removing && removing.sold > 0 ? `Hide “${removing.name}”?` : `Delete “${removing?.name ?? ""}”?`}
        confirmLabel={removing && removing.sold > 0 ? "Hide ticket type" : "Delete ticket type"}
        pending={remove.isPending}
        error={remove.error?.message}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate({ eventId: props.eventId, ticketTypeId: removing.id })}
      >
        {removing && removing.sold > 0 ? (
          <p>{removing.sold} sold tickets keep working; the type is no longer sold or shown on the event page. You can show it again by unticking “Hidden”.</p>
        ) : (
          <p>Nobody has bought this type, so it is deleted (if it only has cancelled tickets, it is hidden instead).</p>
        )}
      </ConfirmDialog>
    </section>
  );
}

function TicketTypeForm(props: { eventId: string; timeZone: string; type: TicketTypeDraft; onSaved: () => void; onRemove?: () => void }) {
  const hydrated = useHydrated();
  const { type } = props;
  const isNew = type.id === "";
  const create = trpc.ticketTypes.create.useMutation({ onSuccess: props.onSaved });
  const update = trpc.ticketTypes.update.useMutation({ onSuccess: props.onSaved });
  const mutation = isNew ? create : update;
  const errors = fieldErrors(mutation.error);
  const priceLocked = type.sold > 0;
  // Ids unique on the page: one form per type, and one for the new type.
  const field = (name: string) => `${isNew ? "new" : type.id}-${name}`;
  const labelled = isNew ? "New ticket type" : `Ticket type ${type.name}`;

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const settings = settingsFrom(new FormData(form));
    if (isNew) create.mutate({ eventId: props.eventId, ...settings }, { onSuccess: () => form.reset() });
    else update.mutate({ eventId: props.eventId, ticketTypeId: type.id, ...settings, priceCents: priceLocked ? type.priceCents : settings.priceCents });
  }

  return (
    <form method="post" className="card space-y-4" noValidate onSubmit={submit} aria-label={labelled} data-testid="ticket-type-form">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="font-semibold">{isNew ? "Add a ticket type" : type.name}</h3>
        {!isNew && (
          <p className="text-sm text-slate-600">
            {type.sold.toLocaleString("en")} / {type.quantity.toLocaleString("en")} sold
            {type.hidden && <span className="font-medium text-amber-800"> · hidden</span>}
          </p>
        )}
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={field("name")} label="Name" error={errors.name}>
          <input className="input" id={field("name")} name="name" defaultValue={type.name} {...describedBy(field("name"), errors.name)} />
        </Field>
        <Field id={field("price")} label={`Price (${type.currency})`} error={errors.priceCents}>
          <input
            className="input"
            id={field("price")}
            name="price"
            inputMode="decimal"
            defaultValue={(type.priceCents / 100).toFixed(2)}
            readOnly={priceLocked}
            aria-readonly={priceLocked || undefined}
            {...describedBy(field("price"), errors.priceCents)}
          />
          {priceLocked && <p className="mt-1 text-xs text-slate-600">Fixed at {formatMoney(type.priceCents, type.currency)}: tickets are sold.</p>}
        </Field>
      </div>
      <Field id={field("description")} label="Description (optional)" error={errors.description}>
        <input className="input" id={field("description")} name="description" defaultValue={type.description} {...describedBy(field("description"), errors.description)} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={field("quantity")} label="On sale (quantity)" error={errors.quantity}>
          <input className="input" id={field("quantity")} name="quantity" type="number" min={Math.max(1, type.sold)} inputMode="numeric" defaultValue={type.quantity} {...describedBy(field("quantity"), errors.quantity)} />
          {type.sold > 0 && <p className="mt-1 text-xs text-slate-600">At least {type.sold}: that many are sold.</p>}
        </Field>
        <Field id={field("maxPerOrder")} label="Limit per order (optional)" error={errors.maxPerOrder}>
          <input className="input" id={field("maxPerOrder")} name="maxPerOrder" type="number" min={1} max={20} inputMode="numeric" defaultValue={type.maxPerOrder ?? ""} {...describedBy(field("maxPerOrder"), errors.maxPerOrder)} />
        </Field>
        <Field id={field("salesStartsAtLocal")} label={`Sales open (optional, ${props.timeZone})`} error={errors.salesStartsAtLocal}>
          <input className="input" id={field("salesStartsAtLocal")} name="salesStartsAtLocal" type="datetime-local" defaultValue={type.salesStartsAtLocal} {...describedBy(field("salesStartsAtLocal"), errors.salesStartsAtLocal)} />
        </Field>
        <Field id={field("salesEndsAtLocal")} label={`Sales close (optional, ${props.timeZone})`} error={errors.salesEndsAtLocal}>
          <input className="input" id={field("salesEndsAtLocal")} name="salesEndsAtLocal" type="datetime-local" defaultValue={type.salesEndsAtLocal} {...describedBy(field("salesEndsAtLocal"), errors.salesEndsAtLocal)} />
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="hidden" defaultChecked={type.hidden} /> Hidden: not on the event page and not for sale
      </label>
      {mutation.error && !Object.keys(errors).length && (
        <p className="field-error" role="alert">
          {mutation.error.message}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button className="btn" type="submit" disabled={!hydrated || mutation.isPending}>
          {mutation.isPending ? "Saving…" : isNew ? "Add ticket type" : "Save"}
        </button>
        {props.onRemove && (
          <button type="button" className="btn-danger" onClick={props.onRemove}>
            {type.sold > 0 ? "Hide" : "Delete"}
          </button>
        )}
      </div>
    </form>
  );
}
