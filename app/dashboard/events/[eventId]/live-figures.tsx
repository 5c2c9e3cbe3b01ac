"use client";

import { trpc, type RouterOutputs } from "@/app/_components/trpc";

export type LiveCounts = RouterOutputs["events"]["checkInCounts"];

/** How often figures follow what happens elsewhere (other doors, new orders). */
const REFRESH_MS = 15_000;

/**
 * The event's live figures: one query shared by the header and the check-in screen, so no figure
 * on the page can disagree with another. Every action that changes one invalidates it.
 */
export function useLiveCounts(eventId: string, initial: LiveCounts) {
  return trpc.events.checkInCounts.useQuery({ eventId }, { initialData: initial, refetchInterval: REFRESH_MS, staleTime: 0 }).data;
}

/** After a check-in, cancellation or sale: every figure on the page reads again. */
export function useRefreshFigures() {
  const utils = trpc.useUtils();
  return () => void utils.events.checkInCounts.invalidate();
}

/** "12 / 54 sold · 3 checked in", in the dashboard header. */
export function HeaderFigures(props: { eventId: string; initial: LiveCounts }) {
  const counts = useLiveCounts(props.eventId, props.initial);
  return (
    <>
      <span className="tabular-nums">{counts.sold.toLocaleString("en")}</span> / {counts.capacity.toLocaleString("en")} sold ·{" "}
      <span className="tabular-nums">{counts.checkedIn.toLocaleString("en")}</span> checked in
    </>
  );
}
