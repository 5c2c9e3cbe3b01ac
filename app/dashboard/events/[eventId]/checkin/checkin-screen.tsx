"use client";

import { useRef, useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { describedBy, Field } from "@/app/_components/form-field";
import { useSettledSearch } from "@/app/_components/paged-search";
import { fieldErrors, trpc, type RouterOutputs } from "@/app/_components/trpc";
import { normalizeDoorCode } from "@/lib/door-code";
import { formatMomentInZone } from "@/lib/format";
import { useLiveCounts, type LiveCounts } from "../live-figures";
import { CameraScanner } from "./camera-scanner";

type Outcome = RouterOutputs["checkin"]["scan"];
type CheckedIn = Extract<Outcome, { status: "checked_in" }>;
/** Each answer carries when it came, so the same answer twice still reads as a new one. */
type Answer = { kind: "scan"; outcome: Outcome; at: number } | { kind: "undone"; name: string; at: number };
type Guest = RouterOutputs["attendees"]["forCheckIn"][number];
/** A ticket whose check-in the person at the door wants to take back. */
type UndoTarget = { attendeeId: string; name: string };

/** Sized for a thumb at the door: the shared .btn is too small here, and a utility can't enlarge it. */
const BIG_BUTTON =
  "inline-flex min-h-12 shrink-0 items-center justify-center whitespace-nowrap rounded-lg bg-indigo-600 px-6 py-3 text-lg font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-500/40 disabled:cursor-not-allowed disabled:opacity-60";

/**
 * The door, phone first: the code field and the camera at the top, the answer right under them,
 * then search by name, email or order for the guest whose QR code won't read. Every action
 * refreshes every figure (they share one query with the page header) and the list of scans.
 */
export function CheckInScreen(props: { eventId: string; timeZone: string; initialCounts: LiveCounts }) {
  const utils = trpc.useUtils();
  const inputRef = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const [code, setCode] = useState("");
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [cameraOn, setCameraOn] = useState(false);
  const [undoing, setUndoing] = useState<UndoTarget | null>(null);
  const [reason, setReason] = useState("");
  const counts = useLiveCounts(props.eventId, props.initialCounts);

  const afterAction = () => {
    void utils.events.checkInCounts.invalidate();
    void utils.checkin.recent.invalidate();
    void utils.attendees.forCheckIn.invalidate();
  };
  const scan = trpc.checkin.scan.useMutation({
    onSuccess: (outcome) => setAnswer({ kind: "scan", outcome, at: Date.now() }),
    onSettled: afterAction,
  });
  const undo = trpc.checkin.undo.useMutation({
    onSuccess: ({ attendee }) => {
      setUndoing(null);
      setAnswer({ kind: "undone", name: attendee.name, at: Date.now() });
    },
    onSettled: afterAction,
  });

  /** A door code when what was typed reads as one (case, dashes, O/I/L don't matter); else a scanner's secret. */
  function submitTyped(text: string) {
    const trimmed = text.trim();
    if (!trimmed || scan.isPending) return;
    const doorCode = normalizeDoorCode(trimmed);
    scan.mutate(
      { eventId: props.eventId, ...(doorCode ? { code: doorCode } : { secret: trimmed }) },
      {
        // Ready for the next person either way: an empty box with the cursor in it.
        onSettled: () => {
          setCode("");
          inputRef.current?.focus();
        },
      },
    );
  }

  function submitScanned(secret: string) {
    if (scan.isPending) return;
    // No focus afterwards: on a phone it would pop the keyboard up over the camera. The answer
    // may be below the camera view, so it is brought into sight instead.
    scan.mutate({ eventId: props.eventId, secret }, { onSettled: () => resultRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" }) });
  }

  function askUndo(target: UndoTarget) {
    undo.reset();
    setReason("");
    setUndoing(target);
  }

  return (
    // On a phone: the code field and the camera first, then the answer, then the counts; on a
    // wide screen the counts and the latest scans move to a column of their own.
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
      <section className="space-y-6" aria-labelledby="checkin-heading">
        <h2 id="checkin-heading" className="sr-only">
          Check-in
        </h2>
        <div className="card space-y-4 p-4 sm:p-6">
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              submitTyped(code);
            }}
          >
            <label className="block text-lg font-semibold" htmlFor="ticket-code">
              Ticket code
            </label>
            <div className="flex flex-col gap-3 sm:flex-row">
              <input
                ref={inputRef}
                id="ticket-code"
                className="block w-full min-w-0 rounded-lg border-2 border-slate-300 bg-white px-4 py-3 font-mono text-2xl uppercase shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-4 focus:ring-indigo-500/30"
                autoFocus
                autoComplete="off"
                autoCapitalize="characters"
                autoCorrect="off"
                spellCheck={false}
                enterKeyHint="go"
                maxLength={512}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                aria-describedby="ticket-code-help"
              />
              <button type="submit" className={BIG_BUTTON} disabled={scan.isPending || code.trim() === ""}>
                {scan.isPending ? "Checking…" : "Check in"}
              </button>
            </div>
            <p id="ticket-code-help" className="text-sm text-slate-600">
              Type the door code printed under the QR code, like 7KQ2M-X9D4P (case and dashes don&apos;t matter), or use a handheld scanner.
            </p>
          </form>
          {cameraOn ? (
            <CameraScanner onCode={submitScanned} onStop={() => setCameraOn(false)} paused={scan.isPending} />
          ) : (
            <button type="button" className="btn-secondary min-h-12 w-full text-lg" onClick={() => setCameraOn(true)}>
              Scan with camera
            </button>
          )}
        </div>

        {/* Read out by screen readers as each answer arrives. */}
        <div ref={resultRef} aria-live="assertive" aria-atomic="true" data-testid="checkin-result">
          {scan.error ? (
            <ResultPanel tone="red" headline="Could not check in" detail={scan.error.message} alert />
          ) : answer ? (
            <AnswerPanel key={answer.at} answer={answer} timeZone={props.timeZone} />
          ) : (
            <p className="rounded-xl border-2 border-dashed border-slate-300 p-8 text-center text-lg text-slate-600">Waiting for the first ticket</p>
          )}
        </div>
        {!scan.error && answer?.kind === "scan" && answer.outcome.status === "checked_in" && (
          <UndoLast outcome={answer.outcome} onUndo={askUndo} />
        )}

        <GuestSearch
          eventId={props.eventId}
          timeZone={props.timeZone}
          busy={scan.isPending}
          onCheckIn={(guest) => scan.mutate({ eventId: props.eventId, attendeeId: guest.id })}
          onUndo={askUndo}
        />
      </section>

      <aside className="space-y-4">
        <Counts counts={counts} />
        <RecentScans eventId={props.eventId} timeZone={props.timeZone} onUndo={askUndo} />
      </aside>

      <ConfirmDialog
        open={undoing !== null}
        title={`Undo ${undoing?.name ?? ""}'s check-in?`}
        confirmLabel="Undo check-in"
        pending={undo.isPending}
        error={undo.error && !fieldErrors(undo.error).reason ? undo.error.message : null}
        onClose={() => setUndoing(null)}
        onConfirm={() => undoing && undo.mutate({ eventId: props.eventId, attendeeId: undoing.attendeeId, reason })}
      >
        <p>The ticket can then be checked in again. The reason goes into the event&apos;s audit log.</p>
        <Field id="undo-reason" label="Reason" error={fieldErrors(undo.error).reason}>
          <input
            id="undo-reason"
            className="input"
            maxLength={300}
            autoComplete="off"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            {...describedBy("undo-reason", fieldErrors(undo.error).reason)}
          />
        </Field>
      </ConfirmDialog>
    </div>
  );
}

/** Search by name, email or order; each result checks in (or undoes) with one tap. */
function GuestSearch(props: { eventId: string; timeZone: string; busy: boolean; onCheckIn: (guest: Guest) => void; onUndo: (target: UndoTarget) => void }) {
  const { search, setSearch, settled } = useSettledSearch();
  const results = trpc.attendees.forCheckIn.useQuery({ eventId: props.eventId, search: settled }, { enabled: settled !== undefined });
  return (
    <section className="card space-y-3" aria-labelledby="guest-search-heading" role="search">
      <h3 id="guest-search-heading" className="text-lg font-semibold">
        Find a guest
      </h3>
      <label className="label" htmlFor="guest-search">
        Name, email or order
      </label>
      <input
        id="guest-search"
        className="input py-3 text-lg"
        type="search"
        autoComplete="off"
        maxLength={200}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {settled !== undefined && results.data && (
        results.data.length === 0 ? (
          <p className="text-slate-600" role="status">
            Nobody at this event matches “{settled}”.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Guests found">
            {results.data.map((guest) => (
              <li key={guest.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="guest">
                <div className="min-w-0">
                  <p className="text-lg font-medium">{guest.name}</p>
                  <p className="text-sm text-slate-600">
                    {guest.ticketType} · <GuestStatus guest={guest} timeZone={props.timeZone} />
                  </p>
                </div>
                {guest.status === "valid" && guest.checkedInAt === null && (
                  <button type="button" className={BIG_BUTTON} disabled={props.busy} onClick={() => props.onCheckIn(guest)} aria-label={`Check in ${guest.name}`}>
                    Check in
                  </button>
                )}
                {guest.checkedInAt !== null && (
                  <button type="button" className="btn-secondary min-h-12 px-5" onClick={() => props.onUndo({ attendeeId: guest.id, name: guest.name })} aria-label={`Undo ${guest.name}'s check-in`}>
                    Undo
                  </button>
                )}
              </li>
            ))}
          </ul>
        )
      )}
    </section>
  );
}

function GuestStatus({ guest, timeZone }: { guest: Guest; timeZone: string }) {
  if (guest.status === "cancelled") return <span className="font-medium text-red-700">Cancelled</span>;
  if (guest.checkedInAt !== null) return <span className="font-medium text-green-700">Checked in {formatMomentInZone(guest.checkedInAt, timeZone)}</span>;
  return <span>Not checked in</span>;
}

/** Checked in so far, in total and per ticket type. */
function Counts({ counts }: { counts: LiveCounts }) {
  return (
    <section className="card space-y-3" aria-labelledby="counts-heading">
      <h3 id="counts-heading" className="text-sm font-medium uppercase tracking-wide text-slate-600">
        Checked in
      </h3>
      <p className="text-3xl font-bold tabular-nums" data-testid="checkin-counter">
        {counts.checkedIn.toLocaleString("en")} <span className="text-xl font-normal text-slate-600">/ {counts.sold.toLocaleString("en")}</span>
      </p>
      {counts.byType.length > 1 && (
        <ul className="space-y-1 text-sm" aria-label="Checked in per ticket type">
          {counts.byType.map((type) => (
            <li key={type.id} className="flex justify-between gap-3" data-testid="type-count">
              <span className="truncate">{type.name}</span>
              <span className="tabular-nums">
                {type.checkedIn.toLocaleString("en")} / {type.sold.toLocaleString("en")}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const RESULT_LABELS: Record<RouterOutputs["checkin"]["recent"][number]["result"], string> = {
  checked_in: "Checked in",
  already_checked_in: "Already in",
  cancelled: "Cancelled ticket",
  event_cancelled: "Event cancelled",
  not_found: "Unknown code",
  wrong_event: "Other event",
  undone: "Check-in undone",
};

/** The latest attempts at this device or at every door, each checked-in ticket with its undo. */
function RecentScans(props: { eventId: string; timeZone: string; onUndo: (target: UndoTarget) => void }) {
  const [door, setDoor] = useState<"this" | "all">("this");
  const recent = trpc.checkin.recent.useQuery({ eventId: props.eventId, door }, { refetchInterval: 15_000 });
  return (
    <section className="card space-y-3" aria-labelledby="recent-heading">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="recent-heading" className="text-sm font-medium uppercase tracking-wide text-slate-600">
          Latest scans
        </h3>
        <label className="sr-only" htmlFor="recent-door">
          Which door
        </label>
        <select id="recent-door" className="input w-auto py-1" value={door} onChange={(e) => setDoor(e.target.value as "this" | "all")}>
          <option value="this">This device</option>
          <option value="all">All doors</option>
        </select>
      </div>
      {recent.data?.length === 0 && <p className="text-sm text-slate-600">Nothing yet.</p>}
      <ul className="divide-y divide-slate-100 text-sm" aria-label="Latest scans" data-testid="recent-scans">
        {recent.data?.map((scan) => (
          <li key={scan.id} className="flex items-center justify-between gap-2 py-2">
            <div className="min-w-0">
              <p className="truncate font-medium">{scan.name ?? RESULT_LABELS[scan.result]}</p>
              <p className="text-slate-600">
                {formatMomentInZone(scan.at, props.timeZone)} · {scan.name ? RESULT_LABELS[scan.result] : "no ticket"}
                {door === "all" && ` · ${scan.by}`}
              </p>
            </div>
            {scan.result === "checked_in" && scan.checkedInNow && scan.attendeeId && scan.name && (
              <button type="button" className="btn-secondary min-h-10 px-3" onClick={() => props.onUndo({ attendeeId: scan.attendeeId!, name: scan.name! })} aria-label={`Undo ${scan.name}'s check-in`}>
                Undo
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
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
    <div className={`rounded-xl border-2 p-6 sm:p-8 ${TONES[props.tone]}`} role={props.alert ? "alert" : undefined} data-tone={props.tone}>
      <p className="text-3xl font-bold leading-tight sm:text-4xl">{props.headline}</p>
      {props.detail && <p className="mt-3 text-xl">{props.detail}</p>}
    </div>
  );
}

/** A mis-tap or the wrong guest, caught at once: the check-in just made, taken back. */
function UndoLast({ outcome, onUndo }: { outcome: CheckedIn; onUndo: (target: UndoTarget) => void }) {
  return (
    <button type="button" className="btn-secondary min-h-12 w-full sm:w-auto" onClick={() => onUndo({ attendeeId: outcome.attendee.id, name: outcome.attendee.name })}>
      Undo {outcome.attendee.name}&apos;s check-in
    </button>
  );
}

function AnswerPanel({ answer, timeZone }: { answer: Answer; timeZone: string }) {
  if (answer.kind === "undone") return <ResultPanel tone="grey" headline={`Check-in undone: ${answer.name}`} detail="The ticket can be checked in again." />;
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
    case "event_cancelled":
      return <ResultPanel tone="red" headline="This event is cancelled" detail="Nobody is checked in to a cancelled event." />;
    case "wrong_event":
      return <ResultPanel tone="red" headline="Not for this event" detail="This ticket is for a different event." />;
    case "not_found":
      return <ResultPanel tone="grey" headline="No ticket with this code" detail="Check the code, or ask for the ticket again: it may have been replaced." />;
  }
}
