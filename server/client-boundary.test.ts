import { describe, expect, it } from "vitest";
import { importTarget, productionModules, readSource, repositoryFile, runtimeImportsOf } from "@/server/testing/imports";

/**
 * What a browser may load. Client components ("use client") and everything they import at run
 * time end up in the browser bundle, so none of it may be a module under server/ or db/ (those
 * start with `import "server-only"`, server/server-only.test.ts) or need a Node built-in.
 * Type-only imports are erased by the compiler: a client component may take the router's type
 * (app/_components/trpc.tsx) or a prop's type from server/. What clients share with the server
 * at run time (schemas, constants, formatting) lives in lib/.
 */
const CLIENT_DIRECTIVE = /^\s*(?:\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*["']use client["']/;

function isClientComponent(file: string): boolean {
  return CLIENT_DIRECTIVE.test(readSource(file));
}

function isServerSide(target: string): boolean {
  return target.startsWith("server/") || target.startsWith("db/") || target.startsWith("node:") || target === "server-only";
}

/**
 * Every run-time import of server/, db/ or a Node built-in reachable from `clients`, each once,
 * as "client → … → module → import".
 */
function serverReachedFrom(clients: string[]): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, trail: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeImportsOf(readSource(file))) {
      const target = importTarget(file, specifier);
      if (isServerSide(target)) found.push([...trail, file, specifier].join(" → "));
      const next = repositoryFile(target);
      if (next) walk(next, [...trail, file]);
    }
  };
  for (const client of clients) walk(client, []);
  return found;
}

describe("the client boundary", () => {
  it("tells run-time imports from erased type-only ones", () => {
    const source = [
      '"use client";',
      'import type { AppRouter } from "@/server/router";',
      'import { type PublicTicketType } from "@/server/events/service";',
      'import { scanTicket } from "@/server/checkin/checkin";',
      'import { formatMoney, type Money } from "@/lib/format";',
      'export { json } from "@/server/http/respond";',
      'export type { Role } from "@/server/access";',
      'import "server-only";',
      'const later = () => import("@/db/client");',
    ].join("\n");
    expect(runtimeImportsOf(source)).toEqual(["@/server/checkin/checkin", "@/lib/format", "@/server/http/respond", "server-only", "@/db/client"]);
  });

  it("finds the client components", () => {
    const clients = productionModules().filter(isClientComponent);
    expect(clients).toEqual(expect.arrayContaining(["app/_components/trpc.tsx", "app/register/register-form.tsx", "app/dashboard/events/[eventId]/checkin/checkin-screen.tsx"]));
  });

  it("lib/ holds only client-safe modules: none imports server/, db/ or a Node built-in", () => {
    const lib = productionModules().filter((file) => file.startsWith("lib/"));
    expect(lib).toEqual(expect.arrayContaining(["lib/format.ts", "lib/door-code.ts", "lib/return-path.ts", "lib/trpc-limits.ts"]));
    expect(serverReachedFrom(lib)).toEqual([]);
  });

  it("no client component reaches server/, db/ or a Node built-in at run time, directly or through other modules", () => {
    const reached = serverReachedFrom(productionModules().filter(isClientComponent));
    expect(reached).toEqual([]);
  });
});
