"use client";

import { useRouter } from "next/navigation";
import { trpc } from "@/app/_components/trpc";

export function PublishToggle(props: { eventId: string; eventName: string; published: boolean }) {
  const router = useRouter();
  const setPublished = trpc.events.setPublished.useMutation({ onSuccess: () => router.refresh() });
  return (
    <div className="flex items-center gap-3">
      <span className={props.published ? "font-medium text-green-700" : "text-slate-600"}>{props.published ? "Published" : "Draft"}</span>
      <button
        type="button"
        className="btn-secondary px-3 py-1"
        disabled={setPublished.isPending}
        aria-label={`${props.published ? "Unpublish" : "Publish"} ${props.eventName}`}
        onClick={() => setPublished.mutate({ eventId: props.eventId, published: !props.published })}
      >
        {setPublished.isPending ? "Saving…" : props.published ? "Unpublish" : "Publish"}
      </button>
      {setPublished.error && (
        <p className="field-error" role="alert">
          {setPublished.error.message}
        </p>
      )}
    </div>
  );
}
