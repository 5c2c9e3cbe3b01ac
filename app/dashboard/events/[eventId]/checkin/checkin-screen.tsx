"use client";

import { useRef, useState } from "react";
import { trpc, type RouterOutputs } from "@/app/_components/trpc";
import { formatMomentInZone } from "@/server/events/format";
import { CameraScanner } from "./camera-scanner";

type Outcome = RouterOutputs["checkin"]["scan"];
/** Each answer carries when it came, so the same answer twice still reads as a new one. */
type Answer = { outcome: Outcome; at: number };

/** How often the counter follows other doors' check-ins. */
const COUNTER_REFRESH_MS = 15_000;

export function CheckInScreen(props: { eventId: string; timeZone: string; initialCounts: { sold: number; checkedIn: number } }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const [code, setCode] = useState("");
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [cameraOn, setCameraOn] = useState(false);

  const counts = trpc.events.checkInCounts.useQuery(
    { eventId: props.eventId },
    { initialData: props.initialCounts, refetchInterval: COUNTER_REFRESH_MS, staleTime: 0 },
  );
  const scan = trpc.checkin.scan.useMutation({
    onSuccess: (outcome) => {
      setAnswer({ outcome, at: Date.now() });
      if (outcome.status === "checked_in") void counts.refetch();
    },
  });

  function submitCode(secret: string, source: "typed" | "camera") {
    const trimmed = secret.trim();
    if (!trimmed || scan.isPending) return;
    scan.mutate(
      { eventId: props.eventId, secret: trimmed },
      {
        // Ready for the next person either way: an empty box with the cursor in it. Not after a
        // camera read, where focusing the box would pop up a phone's keyboard over the camera.
        onSettled: () => {
          setCode("");
          if (source === "typed") inputRef.current?.focus();
          // On a phone the answer may be below the camera view: bring it into sight.
          else resultRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
        },
      },
    );
  }

  return (
    // On a phone: the code field and the camera first, then the answer, then the counter; on a
    // wide screen the counter moves to a column of its own.
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
      <section className="space-y-6" aria-labelledby="checkin-heading">
        <h2 id="checkin-heading" className="sr-only">
          Check-in
        </h2>
        <div className="card space-y-4 p-4 sm:p-6">
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              submitCode(code, "typed");
            }}
          >
            <label className="block text-lg font-semibold" htmlFor="ticket-code">
              Ticket code
            </label>
            <div className="flex flex-col gap-3 sm:flex-row">
              <input
                ref={inputRef}
                id="ticket-code"
                className="block w-full min-w-0 rounded-lg border-2 border-slate-300 bg-white px-4 py-3 font-mono text-2xl shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-4 focus:ring-indigo-500/30"
                autoFocus
                autoComplete="off"
                autoCapitalize="off"
                autoCorrect="off"
                spellCheck={false}
                maxLength={512}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                aria-describedby="ticket-code-help"
              />
              {/* Sized for the door, so not the small shared .btn (whose padding and type a utility can't override). */}
              <button
                type="submit"
                className="inline-flex shrink-0 items-center justify-center whitespace-nowrap rounded-lg bg-indigo-600 px-8 py-3 text-xl font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-500/40 disabled:cursor-not-allowed disabled:opacity-60"
                disabled={scan.isPending || code.trim() === ""}
              >
                {scan.isPending ? "Checking…" : "Check in"}
              </button>
            </div>
            <p id="ticket-code-help" className="text-sm text-slate-600">
              Type the code printed under the QR code, or use a handheld scanner: it types the code and presses Enter.
            </p>
          </form>
          {cameraOn ? (
            <CameraScanner onCode={(secret) => submitCode(secret, "camera")} onStop={() => setCameraOn(false)} paused={scan.isPending} />
          ) : (
            <button type="button" className="btn-secondary w-full" onClick={() => setCameraOn(true)}>
              Scan with camera
            </button>
          )}
        </div>

        {/* Read out by screen readers as each answer arrives. */}
        <div ref={resultRef} aria-live="assertive" aria-atomic="true" data-testid="checkin-result">
          {scan.error ? (
            <ResultPanel tone="red" headline="Could not check in" detail={scan.error.message} alert />
          ) : answer ? (
            <OutcomePanel key={answer.at} answer={answer} timeZone={props.timeZone} />
          ) : (
            <p className="rounded-xl border-2 border-dashed border-slate-300 p-8 text-center text-lg text-slate-600">Waiting for the first ticket</p>
          )}
        </div>
      </section>

      <section className="card text-center" aria-label="Checked in so far">
        <p className="text-sm font-medium uppercase tracking-wide text-slate-600">Checked in</p>
        <p className="text-3xl font-bold tabular-nums" data-testid="checkin-counter">
          {counts.data.checkedIn.toLocaleString("en")} <span className="text-xl font-normal text-slate-600">/ {counts.data.sold.toLocaleString("en")}</span>
        </p>
      </section>
    </div>
  );
}

type Tone = "green" | "amber" | "red" | "grey";
const TONES: Record<Tone, string> = {
  green: "border-green-300 bg-green-50 text-green-900",
  amber: "border-amber-300 bg-amber-50 text-amber-900",
  red: "border-red-300 bg-red-50 text-red-900",
  grey: "border-slate-300 bg-slate-100 text-slate-800",
};

function ResultPanel(props: { tone: Tone; headline: string; detail?: string; alert?: boolean }) {
  return (
    <div className={`rounded-xl border-2 p-8 ${TONES[props.tone]}`} role={props.alert ? "alert" : undefined} data-tone={props.tone}>
      <p className="text-3xl font-bold leading-tight sm:text-4xl">{props.headline}</p>
      {props.detail && <p className="mt-3 text-xl">{props.detail}</p>}
    </div>
  );
}

function OutcomePanel({ answer, timeZone }: { answer: Answer; timeZone: string }) {
  const { outcome } = answer;
  switch (outcome.status) {
    case "checked_in":
      return <ResultPanel tone="green" headline={`Checked in: ${outcome.attendee.name} — ${outcome.ticketType.name}`} />;
    case "already_checked_in":
      return (
        <ResultPanel
          tone="amber"
          headline={`Already checked in at ${formatMomentInZone(outcome.checkedInAt, timeZone)}${outcome.checkedInBy ? ` by ${outcome.checkedInBy}` : ""}`}
          detail={`${outcome.attendee.name} — ${outcome.ticketType.name}`}
        />
      );
    case "cancelled":
      return <ResultPanel tone="red" headline="Cancelled — not valid" detail={`${outcome.attendee.name} — ${outcome.ticketType.name}`} />;
    case "wrong_event":
      return <ResultPanel tone="red" headline="Not for this event" detail="This ticket is for a different event." />;
    case "not_found":
      return <ResultPanel tone="grey" headline="No ticket with this code" detail="Check the code, or ask for the ticket again: it may have been replaced." />;
  }
}
