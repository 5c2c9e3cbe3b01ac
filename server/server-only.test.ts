import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { productionModules, readSource } from "@/server/testing/imports";

/**
 * Everything under server/ and db/ runs on the server only: each module starts with
 * `import "server-only"`, so Next.js refuses to build a client component that reaches one
 * (server/client-boundary.test.ts checks the same from the client side). What clients share with
 * the server lives in lib/. Outside Next.js (tsx scripts, vitest) the import resolves to the
 * package's empty module through tsconfig.json's `paths` and vitest.config.ts's alias.
 */
const EXEMPT: Record<string, string> = {
  "server/http/security-headers.js": "next.config.js loads it in plain Node, before any bundler; it holds only fixed header values",
  "db/schema/sqlite.ts": "drizzle-kit loads it with its own loader to generate migrations; table definitions only",
  "db/schema/pg.ts": "drizzle-kit loads it with its own loader to generate migrations; table definitions only",
};

const SERVER_ONLY_FIRST = /^import "server-only";\n/;

function serverModules(): string[] {
  return productionModules().filter((file) => file.startsWith("server/") || file.startsWith("db/"));
}

describe("server-only modules", () => {
  it("every module under server/ and db/ starts with import \"server-only\", except the exempt ones", () => {
    const modules = serverModules();
    expect(modules).toEqual(expect.arrayContaining(["db/client.ts", "server/config.ts", "server/access.ts", "server/trpc.ts", "server/auth/sessions.ts"]));
    const missing = modules.filter((file) => !(file in EXEMPT) && !SERVER_ONLY_FIRST.test(readSource(file)));
    expect(missing).toEqual([]);
  });

  it("lists only exemptions that exist and still lack the import", () => {
    const modules = serverModules();
    for (const file of Object.keys(EXEMPT)) {
      expect(modules).toContain(file);
      expect(readSource(file)).not.toMatch(SERVER_ONLY_FIRST);
    }
  });

  it("loads under tsx, as npm start and the scripts run them", () => {
    const script = 'const { config } = await import("@/server/config"); await import("@/db/client"); console.log(typeof config);';
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.stderr).not.toMatch(/Server Component/);
    expect(run.stdout.trim()).toBe("function");
    expect(run.status).toBe(0);
  });
});
