import { execFileSync } from "node:child_process";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { log, machine as thisMachine, runBench, saveResults } from "./support";

/**
 * Ticket PDF render times, measured in a fresh process by bench/render-child.ts: the first render
 * (fonts not yet loaded), then, after 300 unmeasured renders, the median of renders of a 1-, 10-
 * and 100-ticket order, all in one run so they compare. `npm run bench:render` runs only this,
 * without a build or a server, and writes bench/results/render-<date>.{json,md}; bench/run.ts
 * reports it next to the HTTP figures.
 */

export type WarmRender = { n: number; samples: number; ms: number; perPageMs: number; cpuMs: number; cpuPerPageMs: number; bytes: number };
export type RenderTimings = {
  firstRenderInProcess: { n: number; ms: number };
  warm: WarmRender[];
  hundred: { ms: number; perPageMs: number; rssBeforeMb: number; peakBeforeMb: number; peakAfterMb: number; growthMb: number };
  /** 1-minute load average before and after, and the cores it is shared by. */
  load: { before: number; after: number; cores: number };
};

export function renderInFreshProcess(env: NodeJS.ProcessEnv = process.env): RenderTimings {
  const before = os.loadavg()[0];
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "bench/render-child.ts"], { encoding: "utf8", env: { ...env, NODE_ENV: "production" } });
  const child = JSON.parse(out.trim().split("\n").at(-1)!) as Omit<RenderTimings, "load">;
  return { ...child, load: { before, after: os.loadavg()[0], cores: os.cpus().length } };
}

/** CPU time one more page costs, without the per-document part (fonts, document structure). */
export function marginalPerPageMs(r: RenderTimings): number {
  const w10 = r.warm.find((w) => w.n === 10)!;
  const w100 = r.warm.find((w) => w.n === 100)!;
  return (w100.cpuMs - w10.cpuMs) / 90;
}

/**
 * ≤ 15 ms per page warm, judged on CPU time: on a shared machine that is the render's own cost,
 * while wall time also counts the waits for a core. The worst size is the 1-ticket order, which
 * pays for the fonts and the document alone.
 */
export function perPageTarget(r: RenderTimings): { met: boolean; text: string } {
  const worst = r.warm.reduce((a, w) => (w.cpuPerPageMs > a.cpuPerPageMs ? w : a));
  const text = `worst ${worst.cpuPerPageMs.toFixed(1)} ms CPU (${worst.perPageMs.toFixed(1)} ms wall), a ${worst.n}-ticket order`;
  return { met: worst.cpuPerPageMs <= 15, text };
}

export function loadLine(r: RenderTimings): string {
  return `Load average (1 min) ${r.load.before.toFixed(1)} before, ${r.load.after.toFixed(1)} after, on ${r.load.cores} cores: above the core count, neighbours took CPU and wall times grow; CPU times grow less.`;
}

async function main() {
  const startedAt = Date.now();
  log("render timing in a fresh process …");
  const r = renderInFreshProcess();
  const machine = thisMachine();
  const date = new Date(startedAt).toISOString();
  const perPage = perPageTarget(r);
  const targets = { warmPerPageAtMost15ms: perPage.met };
  const f1 = (n: number) => n.toFixed(1);
  const md = `# Ticket PDF render benchmark — ${date}

Machine: ${machine.cpu}, ${machine.cores} cores, ${f1(machine.memoryGb)} GiB, ${machine.os}, Node ${machine.node}.
${loadLine(r)}

In a fresh process (\`bench/render-child.ts\`, synthetic tickets, every 10th cancelled): first render ever
(1 ticket, includes loading the fonts) ${r.firstRenderInProcess.ms.toFixed(0)} ms. Warm: after 300 unmeasured renders, the median of each size.

| attendees | renders | median ms | ms / page | CPU ms / page | PDF KiB |
|---:|---:|---:|---:|---:|---:|
${r.warm.map((w) => `| ${w.n} | ${w.samples} | ${f1(w.ms)} | ${f1(w.perPageMs)} | ${f1(w.cpuPerPageMs)} | ${(w.bytes / 1024).toFixed(0)} |`).join("\n")}

Each page after the first costs ${f1(marginalPerPageMs(r))} ms CPU (from the 10- and 100-ticket orders).
≤ 15 ms per page warm: ${perPage.met ? "met" : "**missed**"} (${perPage.text}).
`;
  saveResults("render", date, { date, machine, render: { ...r, marginalPerPageMs: marginalPerPageMs(r) }, targets }, md);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runBench(main);
