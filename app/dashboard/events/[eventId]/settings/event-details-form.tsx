"use client";

import { useRouter } from "next/navigation";
import { DoneMessage } from "@/app/_components/done-message";
import { describedBy, Field, FormError, TimeZoneOptions, useFocusFirstError } from "@/app/_components/form-field";
import { fieldErrors, trpc } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";

export type EventDetailsDraft = {
  eventId: string;
  name: string;
  description: string;
  venue: string;
  /** Wall-clock times in the event's own zone, as the datetime-local inputs take them. */
  startsAtLocal: string;
  endsAtLocal: string;
  timeZone: string;
};

/** Edits what the event's tickets print; the next download of any ticket shows the change. */
export function EventDetailsForm(props: { initial: EventDetailsDraft; timeZones: string[] }) {
  const hydrated = useHydrated();
  const router = useRouter();
  const update = trpc.events.update.useMutation({ onSuccess: () => router.refresh() });
  const errors = fieldErrors(update.error);
  const formRef = useFocusFirstError(update.error);
  const { initial } = props;

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    update.mutate({
      eventId: initial.eventId,
      name: text("name"),
      description: text("description"),
      venue: text("venue"),
      startsAtLocal: text("startsAtLocal"),
      endsAtLocal: text("endsAtLocal"),
      timeZone: text("timeZone"),
      notifyAttendees: form.get("notifyAttendees") === "on",
    });
  }

  return (
    <form ref={formRef} method="post" className="card space-y-5" noValidate onSubmit={submit} aria-label="Event details">
      <Field id="name" label="Event name" error={errors.name}>
        <input className="input" id="name" name="name" defaultValue={initial.name} {...describedBy("name", errors.name)} />
      </Field>
      <Field id="description" label="Description (optional)" error={errors.description}>
        <textarea className="input min-h-24" id="description" name="description" defaultValue={initial.description} {...describedBy("description", errors.description)} />
      </Field>
      <Field id="venue" label="Venue" error={errors.venue}>
        <input className="input" id="venue" name="venue" defaultValue={initial.venue} {...describedBy("venue", errors.venue)} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="startsAtLocal" label="Starts" error={errors.startsAtLocal}>
          <input className="input" id="startsAtLocal" name="startsAtLocal" type="datetime-local" defaultValue={initial.startsAtLocal} {...describedBy("startsAtLocal", errors.startsAtLocal)} />
        </Field>
        <Field id="endsAtLocal" label="Ends" error={errors.endsAtLocal}>
          <input className="input" id="endsAtLocal" name="endsAtLocal" type="datetime-local" defaultValue={initial.endsAtLocal} {...describedBy("endsAtLocal", errors.endsAtLocal)} />
        </Field>
        <Field id="timeZone" label="Time zone" error={errors.timeZone}>
          <select className="input" id="timeZone" name="timeZone" defaultValue={initial.timeZone} {...describedBy("timeZone", errors.timeZone)}>
            <TimeZoneOptions zones={props.timeZones} />
          </select>
        </Field>
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="notifyAttendees" className="mt-1 h-4 w-4" />
        <span>Notify attendees: email everyone with a ticket if the time or place changes</span>
      </label>
      <FormError>{update.error && !Object.keys(errors).length && update.error.message}</FormError>
      <div className="flex flex-wrap items-center gap-3">
        <button className="btn" type="submit" disabled={!hydrated || update.isPending}>
          {update.isPending ? "Saving…" : "Save details"}
        </button>
        <DoneMessage
          message={
            update.isSuccess && !update.isPending
              ? `Saved. Tickets downloaded from now on show the new details.${update.data.notified ? " Everyone with a ticket has been emailed." : ""}`
              : ""
          }
        />
      </div>
    </form>
  );
}
