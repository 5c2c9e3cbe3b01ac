"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Field } from "@/app/_components/form-field";
import { trpc } from "@/app/_components/trpc";

/**
 * The irreversible end of an event: cancelling (for good, everyone with a ticket is emailed) or,
 * for a draft nobody outside the team saw, deleting it. Both ask first.
 */
export function EventLife(props: { eventId: string; eventName: string; cancelled: boolean; neverPublished: boolean }) {
  const router = useRouter();
  const [asking, setAsking] = useState<"cancel" | "delete" | null>(null);
  const [reason, setReason] = useState("");
  const cancel = trpc.events.cancel.useMutation({
    onSuccess: () => {
      setAsking(null);
      router.refresh();
    },
  });
  const remove = trpc.events.deleteDraft.useMutation({ onSuccess: () => router.push("/dashboard") });
  const mutation = asking === "delete" ? remove : cancel;
  function ask(action: "cancel" | "delete") {
    cancel.reset();
    remove.reset();
    setAsking(action);
  }

  if (props.cancelled) {
    return (
      <p className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm font-medium text-red-800" role="status">
        This event is cancelled: nothing is sold and nobody is checked in.
      </p>
    );
  }
  return (
    <section className="card space-y-3 border-red-200" aria-labelledby="event-life-heading">
      <h2 id="event-life-heading" className="text-lg font-semibold">
        End this event
      </h2>
      <p className="text-sm text-slate-700">
        Cancelling stops sales and check-in for good, prints CANCELLED on every ticket and emails everyone who has one.
        {props.neverPublished && " A draft that was never published and has no orders can be deleted instead."}
      </p>
      <div className="flex flex-wrap gap-3">
        <button type="button" className="btn-danger" onClick={() => ask("cancel")}>
          Cancel event
        </button>
        {props.neverPublished && (
          <button type="button" className="btn-danger" onClick={() => ask("delete")}>
            Delete draft
          </button>
        )}
      </div>
      <ConfirmDialog
        open={asking !== null}
        title={asking === "delete" ? `Delete ${props.eventName}?` : `Cancel ${props.eventName}?`}
        confirmLabel={asking === "delete" ? "Delete draft" : "Cancel event"}
        pending={mutation.isPending}
        error={mutation.error?.message}
        onClose={() => setAsking(null)}
        onConfirm={() => (asking === "delete" ? remove.mutate({ eventId: props.eventId }) : cancel.mutate({ eventId: props.eventId, reason }))}
      >
        {asking === "delete" ? (
          <p>The draft, its ticket types and its team go for good.</p>
        ) : (
          <>
            <p>This can&apos;t be undone. Everyone with a ticket, and everyone who bought one, gets an email.</p>
            <Field id="cancel-reason" label="Message to attendees (optional)">
              <textarea id="cancel-reason" className="input min-h-20" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
            </Field>
          </>
        )}
      </ConfirmDialog>
    </section>
  );
}
