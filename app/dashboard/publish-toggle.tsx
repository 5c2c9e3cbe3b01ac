"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { trpc } from "@/app/_components/trpc";

/** Publishing puts the event on the home page and opens sales; unpublishing takes both away. Both ask first. */
export function PublishToggle(props: { eventId: string; eventName: string; published: boolean }) {
  const router = useRouter();
  const [asking, setAsking] = useState(false);
  const setPublished = trpc.events.setPublished.useMutation({
    onSuccess: () => {
      setAsking(false);
      router.refresh();
    },
  });
  const action = props.published ? "Unpublish" : "Publish";
  return (
    <div className="flex items-center gap-3">
      <span className={props.published ? "font-medium text-green-700" : "text-slate-600"}>{props.published ? "Published" : "Draft"}</span>
      <button
        type="button"
        className="btn-secondary px-3 py-1"
        aria-label={`${action} ${props.eventName}`}
        onClick={() => {
          setPublished.reset();
          setAsking(true);
        }}
      >
        {action}
      </button>
      <ConfirmDialog
        open={asking}
        title={`${action} ${props.eventName}?`}
        confirmLabel={action}
        pending={setPublished.isPending}
        error={setPublished.error?.message}
        onClose={() => setAsking(false)}
        onConfirm={() => setPublished.mutate({ eventId: props.eventId, published: !props.published })}
      >
        {props.published ? (
          <p>The event leaves the home page and nobody can buy tickets until you publish it again. Tickets already sold stay valid.</p>
        ) : (
          <p>The event appears on the home page and anyone can buy tickets. Once published, it can be cancelled but no longer deleted.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}
