"use client";

import { useEffect, useRef, useState } from "react";

/**
 * "Show ticket": the ticket's QR, full width, for scanning off a phone at the door. The image is
 * fetched only when shown (every showing is audited, like a download).
 */
export function ShowTicket({ orderIdentifier, attendeeIdentifier, name, initiallyOpen = false }: { orderIdentifier: string; attendeeIdentifier: string; name: string; initiallyOpen?: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const panel = `qr-${attendeeIdentifier}`;
  const figure = useRef<HTMLElement>(null);
  useEffect(() => {
    if (initiallyOpen) figure.current?.scrollIntoView({ block: "center" });
  }, [initiallyOpen]);
  return (
    <div className="w-full">
      <button type="button" className="btn-secondary" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
        {open ? "Hide ticket" : "Show ticket"}
        <span className="sr-only"> for {name}</span>
      </button>
      {open && (
        <figure ref={figure} id={panel} className="mt-3 rounded-xl border border-slate-200 bg-white p-3" data-testid="ticket-qr">
          <img
            className="mx-auto w-full max-w-md"
            src={`/tickets/${encodeURIComponent(orderIdentifier)}/${encodeURIComponent(attendeeIdentifier)}/qr.svg`}
            alt={`QR code of ${name}'s ticket`}
          />
          <figcaption className="mt-2 text-center text-sm text-slate-600">
            {name}: show this at the door. Turn your screen brightness up.
          </figcaption>
        </figure>
      )}
    </div>
  );
}

/**
 * Starts the download an emailed link promised ("Get my ticket"), once, then takes `download=1`
 * out of the address so a reload doesn't download again.
 */
export function StartDownload({ href }: { href: string }) {
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const link = document.createElement("a");
    link.href = href;
    link.download = "";
    document.body.append(link);
    link.click();
    link.remove();
    const url = new URL(window.location.href);
    url.searchParams.delete("download");
    window.history.replaceState(window.history.state, "", url);
  }, [href]);
  return (
    <p className="rounded-lg border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900" role="status">
      You are signed in, and your ticket is downloading. If it doesn&apos;t, use the download button below.
    </p>
  );
}
