import path from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf, importTarget, isTestScaffolding, productionModules, readSource, TEST_FILE } from "@/server/testing/imports";

/**
 * Test scaffolding stays out of production: no module the app ships (everything under server/,
 * app/, db/ and lib/, plus proxy.ts) imports server/testing/, a test file or a test runner.
 * Scaffolding lives in server/testing/ (the privilege matrix's rows in
 * server/testing/privileges/) or beside the tests as *.test.ts files.
 */
const TEST_RUNNERS = ["vitest", "@playwright/test", "@axe-core/playwright"];

/** The imports of `file` that bring test scaffolding into production, each as "specifier (why)". */
function scaffoldingImports(file: string, source: string): string[] {
  return importsOf(source).flatMap((specifier) => {
    const reached = importTarget(file, specifier);
    if (TEST_RUNNERS.some((runner) => reached === runner || reached.startsWith(`${runner}/`))) return [`${specifier} (a test runner)`];
    if (isTestScaffolding(reached) || TEST_FILE.test(`${reached}.ts`)) return [`${specifier} (test scaffolding)`];
    return [];
  });
}

describe("the boundary between production code and test scaffolding", () => {
  it("finds scaffolding imports of every form, by alias or relative path", () => {
    const source = [
      'import { freshDb } from "@/server/testing/support";',
      'export { privileges } from "../testing/privileges/orders";',
      'const world = await import("@/server/testing/world");',
      'import { it } from "vitest";',
      'import { ticketWorld } from "./cache.test";',
      'import { createEvent } from "@/server/events/service";',
      'import { randomId } from "../ids";',
    ].join("\n");
    expect(scaffoldingImports("server/tickets/cache.ts", source)).toEqual([
      "@/server/testing/support (test scaffolding)",
      "../testing/privileges/orders (test scaffolding)",
      "@/server/testing/world (test scaffolding)",
      "vitest (a test runner)",
      "./cache.test (test scaffolding)",
    ]);
  });

  it("covers the app's modules, and no test file or scaffolding among them", () => {
    const modules = productionModules();
    expect(modules).toEqual(expect.arrayContaining(["server/access.ts", "app/layout.tsx", "db/client.ts", "lib/format.ts", "proxy.ts"]));
    expect(modules.filter(isTestScaffolding)).toEqual([]);
  });

  it("no production folder holds a module named as test scaffolding", () => {
    const named = productionModules().filter((file) => /(^|[-./])(test|tests|fixtures?)([-.]|$)/.test(path.posix.basename(file)));
    expect(named).toEqual([]);
  });

  it("no production module imports server/testing/, a test file or a test runner", () => {
    const offenders = productionModules().flatMap((file) => scaffoldingImports(file, readSource(file)).map((why) => `${file} imports ${why}`));
    expect(offenders).toEqual([]);
  });
});
