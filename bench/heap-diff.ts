import { readFileSync } from "node:fs";

/**
 * `tsx bench/heap-diff.ts A.heapsnapshot [B.heapsnapshot]`: what a V8 heap snapshot holds, by
 * constructor (count and self size), and with two snapshots what grew between them. Take them
 * from a running server with `node --heapsnapshot-signal=SIGUSR2` (`bench/soak.ts --snapshots`
 * starts the server so) and `kill -USR2 <pid>`.
 */

type Totals = Map<string, { count: number; bytes: number }>;

function totalsOf(file: string): { totals: Totals; bytes: number } {
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const totals: Totals = new Map();
  let bytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name = type === "object" || type === "closure" ? snapshot.strings[snapshot.nodes[i + nameAt]] : `(${type})`;
    const size = snapshot.nodes[i + sizeAt];
    const entry = totals.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += size;
    totals.set(name, entry);
    bytes += size;
  }
  return { totals, bytes };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const [first, second] = process.argv.slice(2);
const a = totalsOf(first);
console.log(`${first}: ${mb(a.bytes)}`);
if (!second) {
  for (const [name, t] of [...a.totals].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, 40)) console.log(`${mb(t.bytes).padStart(10)} ${String(t.count).padStart(8)}  ${name}`);
} else {
  const b = totalsOf(second);
  console.log(`${second}: ${mb(b.bytes)} (${b.bytes >= a.bytes ? "+" : ""}${mb(b.bytes - a.bytes)})`);
  const growth = [...b.totals].map(([name, t]) => ({ name, bytes: t.bytes - (a.totals.get(name)?.bytes ?? 0), count: t.count - (a.totals.get(name)?.count ?? 0) }));
  for (const g of growth.sort((x, y) => y.bytes - x.bytes).slice(0, 40)) console.log(`${mb(g.bytes).padStart(10)} ${String(g.count).padStart(8)}  ${g.name}`);
}
