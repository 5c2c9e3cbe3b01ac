import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { filesUnder, readSource, ROOT } from "@/server/testing/imports";

/**
 * docs/architecture.md is the map code comments cite: every file it names must exist, and no
 * source cites the product's design document, which lives outside the repository.
 */
const OUTSIDE_DOCUMENT = ["DESIGN", "md"].join(".");
const CITED_PATH = /`((?:server|app|db|lib|scripts|bench|e2e|docs)\/[^`\s]+|[\w.-]+\.(?:ts|js|mjs|json))`/g;

function citedPaths(text: string): string[] {
  return [...text.matchAll(CITED_PATH)].map((match) => match[1]).filter((cited) => !/[<*]/.test(cited));
}

describe("docs/architecture.md", () => {
  const doc = readSource("docs/architecture.md");

  it("names only files and folders that exist", () => {
    const cited = citedPaths(doc);
    expect(cited).toEqual(expect.arrayContaining(["server/access.ts", "server/trpc.ts", "db/client.ts"]));
    expect(cited.filter((file) => !existsSync(path.join(ROOT, file.split(" ")[0])))).toEqual([]);
  });

  it("is what comments cite: none cites the design document outside the repository", () => {
    const sources = ["server", "app", "db", "lib", "scripts", "bench", "e2e"].flatMap(filesUnder);
    expect(sources.filter((file) => readSource(file).includes(OUTSIDE_DOCUMENT))).toEqual([]);
  });
});
