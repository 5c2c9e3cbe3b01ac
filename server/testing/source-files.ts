import { readdirSync, statSync } from "node:fs";
import path from "node:path";

const SKIP = new Set(["node_modules", "results", "fonts"]);

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (SKIP.has(name)) return [];
    if (statSync(file).isDirectory()) return filesBelow(file);
    return /\.(ts|tsx|mts|mjs)$/.test(name) ? [file] : [];
  });
}

/** The TypeScript and JavaScript sources below `roots`, as paths from the repository's root. */
export function sourceFiles(...roots: string[]): string[] {
  return roots.flatMap(filesBelow);
}
