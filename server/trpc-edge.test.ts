import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { filesUnder } from "@/server/testing/imports";

/**
 * The domain throws one error type, AppError (server/errors.ts), which each transport maps once:
 * tRPC in server/trpc.ts, REST in server/http/respond.ts, pages in app/_lib/load-for-page.ts.
 * This keeps tRPC itself at its edge, so no domain module can fall back to throwing TRPCError.
 */
const TRPC_LAYER = new Set([
  "server/trpc.ts",
  "app/api/trpc/[trpc]/route.ts",
  // The browser's tRPC client: types of the router and the link's observable.
  "app/_components/trpc.tsx",
]);

/** Tests and their scaffolding call procedures and look at what tRPC answered. */
const isTestCode = (file: string) => /\.test\.tsx?$/.test(file) || file.startsWith("server/testing/");

const IMPORTS_TRPC_SERVER = /(from|import)\s*\(?\s*["']@trpc\/server(\/[^"']*)?["']/;

describe("tRPC stays at its edge", () => {
  const files = ["server", "app", "lib", "db", "scripts", "bench"].flatMap(filesUnder).filter((file) => !TRPC_LAYER.has(file) && !isTestCode(file));

  it("finds the sources it checks, and the tRPC layer it exempts", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain("server/errors.ts");
    for (const file of TRPC_LAYER) expect(existsSync(file)).toBe(true);
  });

  it("imports @trpc/server only in the tRPC layer", () => {
    const offences = files.filter((file) => IMPORTS_TRPC_SERVER.test(readFileSync(file, "utf8")));
    expect(offences).toEqual([]);
  });
});
