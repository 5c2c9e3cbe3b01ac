import { measureRender } from "@/server/tickets/render-timing";

/**
 * Run by bench/run.ts in a fresh process, so "first render" really is the first (fonts not yet
 * parsed) and the RSS numbers belong to rendering alone. Prints one JSON line.
 */
const mb = (bytes: number) => bytes / 1024 / 1024;
// maxRSS is in KiB.
const peakMb = () => process.resourceUsage().maxRSS / 1024;

const first = await measureRender(1);
const warm = [];
for (const n of [1, 10, 100]) {
  // Twice per size: the first of each may still warm up code paths; the second is reported.
  await measureRender(n);
  warm.push({ n, ...(await measureRender(n)) });
}

// Growth of one 100-attendee render over a process that has already rendered small orders.
globalThis.gc?.();
const before = mb(process.memoryUsage().rss);
const peakBefore = peakMb();
const hundred = await measureRender(100);
const peakAfter = peakMb();

console.log(
  JSON.stringify({
    firstRenderInProcess: { n: 1, ms: first.ms },
    warm,
    hundred: { ms: hundred.ms, perPageMs: hundred.perPageMs, rssBeforeMb: before, peakBeforeMb: peakBefore, peakAfterMb: peakAfter, growthMb: Math.max(0, peakAfter - before) },
  }),
);
