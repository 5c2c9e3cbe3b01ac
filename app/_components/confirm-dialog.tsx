"use client";

import { useEffect, useId, useRef } from "react";

/**
 * A modal "are you sure?" for actions that can't be undone (cancelling a ticket, invalidating a
 * QR code). The native <dialog> traps focus, closes on Escape and restores focus by itself.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  pending?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="m-auto w-full max-w-md rounded-xl border border-slate-200 p-6 shadow-xl backdrop:bg-slate-900/40"
      onClose={props.onClose}
    >
      <h2 id={titleId} className="text-lg font-semibold">
        {props.title}
      </h2>
      <div className="mt-2 space-y-2 text-sm text-slate-700">{props.children}</div>
      {props.error && (
        <p className="field-error" role="alert">
          {props.error}
        </p>
      )}
      <div className="mt-6 flex justify-end gap-3">
        <button type="button" className="btn-secondary" onClick={props.onClose} autoFocus>
          Go back
        </button>
        <button type="button" className="btn-danger px-4 py-2" disabled={props.pending} onClick={props.onConfirm}>
          {props.pending ? "Working…" : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
