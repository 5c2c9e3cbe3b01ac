import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * The repository's sources and import graph, read from the files, for the tests that check the
 * code's shape (boundaries, dialects, the tRPC edge, the architecture doc).
 */
export const ROOT = path.resolve(".");
const SOURCE = /\.(ts|tsx|js|mjs)$/;
export const TEST_FILE = /\.(test|spec)\.(ts|tsx|js|mjs)$/;

/** Folders that hold no sources of ours: packages, build output, data, benchmark results, fonts. */
function isSkippedFolder(name: string): boolean {
  return name.startsWith(".") || name === "node_modules" || name === "results" || name === "fonts";
}

/** Source files under `folder` (build output and data folders skipped), as paths from the repository root. */
export function filesUnder(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const file = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return isSkippedFolder(entry.name) ? [] : filesUnder(file);
    return entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts") ? [file] : [];
  });
}

export function isTestScaffolding(file: string): boolean {
  return file.startsWith("server/testing/") || file.startsWith("e2e/") || file.startsWith("bench/") || TEST_FILE.test(file);
}

/** What the app ships: every module under server/, app/, db/ and lib/, and proxy.ts; no tests or scaffolding. */
export function productionModules(): string[] {
  return [...["server", "app", "db", "lib"].flatMap(filesUnder), "proxy.ts"].filter((file) => !isTestScaffolding(file)).sort();
}

export function readSource(file: string): string {
  return readFileSync(path.join(ROOT, file), "utf8");
}

/** Every module `source` imports: static, re-exported, dynamic or required, type-only ones included. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((imported) => imported.fileName);
}

/**
 * The modules `source` needs at run time: imports and re-exports that are not type-only
 * (`import type`, or every named binding marked `type`, which TypeScript erases), and dynamic
 * imports.
 */
export function runtimeImportsOf(source: string): string[] {
  const file = ts.createSourceFile("module.tsx", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnlyImport(node)) found.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) found.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import "x"`: run for its effects
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** What an import of `specifier` from `file` names: a path from the repository root (no extension), or the package. */
export function importTarget(file: string, specifier: string): string {
  if (specifier.startsWith("@/")) return path.posix.normalize(specifier.slice(2));
  if (specifier.startsWith(".")) return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return specifier;
}

/** The repository file an import target names, or null for a package or a Node built-in. */
export function repositoryFile(target: string): string | null {
  for (const candidate of [target, ...[".ts", ".tsx", ".js", ".mjs", "/index.ts", "/index.tsx"].map((ending) => target + ending)]) {
    if (SOURCE.test(candidate) && existsSync(path.join(ROOT, candidate))) return candidate;
  }
  return null;
}
