import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { filesUnder } from "@/server/testing/imports";

/**
 * The domain runs on SQLite and PostgreSQL through one async query-builder surface (db/client.ts
 * `Db`). Its TypeScript type is SQLite's, so the compiler alone would let SQLite-only calls slip
 * in; this keeps them out of everything outside db/, where the dialects live.
 */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\.(get|all|run)\(\s*\)/, "SQLite-only executor: await the builder (with .limit(1) for one row)"],
  [/\.changes\b/, "better-sqlite3's changes count: use .returning() and count the rows"],
  [/\.transaction\(/, "drizzle's transaction: use transaction(db, async (tx) => …) from db/client.ts"],
  [/behavior:\s*"(immediate|deferred|exclusive)"/, "SQLite transaction behaviour: db/client.ts transaction() decides it"],
  [/\$client\b/, "the raw driver: keep it inside db/"],
  // Type-only imports are allowed: a SQLite-specific test may name the driver's types.
  [/^import (?!type ).*(from "(better-sqlite3|pg)"|drizzle-orm\/(sqlite-core|pg-core|better-sqlite3|node-postgres))/, "a dialect's module: keep it inside db/"],
  [/\b(json_object|json_extract|jsonb_build_object|strftime|unixepoch|rowid|ILIKE|GLOB)\b/, "dialect-specific SQL: put it behind a helper in db/"],
];

// The bench's out-of-process counters read the SQLite file directly, on purpose; this file names
// the forbidden patterns; the crash tests' statement hook wraps each driver's execute on purpose.
const EXEMPT = new Set(["server/dialect-free.test.ts", "bench/run.ts", "server/testing/statement-hook.ts"]);

describe("the domain is dialect-free", () => {
  const files = ["server", "app", "scripts", "bench"].flatMap(filesUnder).filter((file) => !EXEMPT.has(file));

  it("finds the sources it checks", () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it("uses only what both dialects share, outside db/", () => {
    const offences: string[] = [];
    for (const file of files) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
          for (const [pattern, why] of FORBIDDEN) if (pattern.test(line)) offences.push(`${file}:${index + 1}: ${why}\n    ${line.trim()}`);
        });
    }
    expect(offences).toEqual([]);
  });
});
