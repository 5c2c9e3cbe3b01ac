import "server-only";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/server/config";
import { printedFingerprint, renderTicketsPdf, TEMPLATE_VERSION, type PrintedTicket } from "./document";

/**
 * The ticket PDF cache under `<dataDir>/tickets/`: one rendered PDF per set of printed tickets,
 * written atomically, read back whole, and swept by the server's hourly maintenance
 * (server/maintenance.ts). No database, HTTP or access decisions here.
 *
 * A file is named `<set>-<content>.pdf` in a folder named by the set key's first two characters:
 * the set key stands for which tickets (the order and its attendees), the content key for
 * everything printed on them. A rename, cancellation or regenerated secret changes the content
 * key, so the stale file is never asked for again and the sweep deletes it as superseded. Both
 * are keyed hashes (HMAC with a key from AUTH_SECRET): nothing from the request reaches a path, and
 * a name can't be computed or confirmed by anyone who only knows what's printed.
 */

let derived: { secret: string; key: Buffer } | undefined;
/** Derived for this purpose only, so the cache key never doubles as a token or cookie key. */
function hmacKey(): Buffer {
  const secret = config().authSecret;
  if (derived?.secret !== secret) {
    derived = { secret, key: createHash("sha256").update(`admit:ticket-cache:v1:${secret}`).digest() };
  }
  return derived.key;
}

/** 128 bits of HMAC: plenty for a name no one can guess and no two sets will share. */
function keyed(value: unknown): string {
  return createHmac("sha256", hmacKey()).update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

const FILE_NAME = /^([0-9a-f]{32})-[0-9a-f]{32}\.pdf$/;
const TEMP_SUFFIX = ".tmp";

export function ticketCacheDir(): string {
  return path.join(config().dataDir, "tickets");
}

/**
 * Where the PDF of these tickets lives (rendered or not). The pages' order is itself printed and
 * fixed by server/tickets/printed.ts, so equal sets share a file.
 */
export function cachedPdfPath(tickets: readonly PrintedTicket[]): string {
  const set = keyed(["set", tickets.map((t) => [t.orderIdentifier, t.attendeeIdentifier])]);
  const content = keyed(["content", TEMPLATE_VERSION, tickets.map(printedFingerprint)]);
  return path.join(ticketCacheDir(), set.slice(0, 2), `${set}-${content}.pdf`);
}

/** Renders in progress in this process, so concurrent requests for one missing file share one render. */
const inFlight = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * The PDF of these tickets: the cached file, or rendered now (and cached for next time). When the
 * cache can't take the file (disk full, folder unwritable) the rendered bytes are served anyway.
 *
 * The whole file is read into memory: it is as large as what the renderer holds in memory anyway
 * (at most MAX_TICKETS_PER_ORDER pages, about 100 KiB), and read synchronously, as on the local
 * disk the cache lives on that takes microseconds where each async step is a trip through libuv's
 * thread pool. Read and cache check happen in one synchronous step, so a request can't miss a
 * file and then a render that finished in between.
 */
export function ticketPdf(tickets: PrintedTicket[]): Promise<Uint8Array<ArrayBuffer>> {
  // One line per page: a fingerprint is JSON, so it has no line break of its own.
  const printed = tickets.map(printedFingerprint).join("\n");
  const recent = recentPdfs.recall(printed);
  if (recent) return Promise.resolve(recent);
  const file = cachedPdfPath(tickets);
  const cached = readIfCached(file);
  if (cached) {
    recentPdfs.remember(printed, file, cached);
    return Promise.resolve(cached);
  }
  let job = inFlight.get(file);
  if (!job) {
    job = renderToCache(file, tickets, printed).finally(() => inFlight.delete(file));
    inFlight.set(file, job);
  }
  return job;
}

/** At most this much of the PDFs served last is kept in memory, their keys included (per process). */
const RECENT_PDF_BYTES = 16 * 1024 * 1024;

/**
 * The files served last, kept in memory as well, by what is printed on them (which names one
 * file): the next download of a popular order hashes no name and reads no file. A hit still
 * checks that its file exists, so a file the sweep deleted is rendered again, as without this.
 * The least recently served go first once the entries exceed `maxBytes`.
 */
export class RecentPdfs {
  private readonly entries = new Map<string, { file: string; pdf: Uint8Array<ArrayBuffer>; bytes: number }>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  recall(printed: string): Uint8Array<ArrayBuffer> | null {
    const entry = this.entries.get(printed);
    if (!entry) return null;
    this.forget(printed);
    if (!existsSync(/*turbopackIgnore: true*/ entry.file)) return null;
    this.add(printed, entry);
    return entry.pdf;
  }

  remember(printed: string, file: string, pdf: Uint8Array<ArrayBuffer>): void {
    this.forget(printed);
    this.add(printed, { file, pdf, bytes: pdf.byteLength + 2 * printed.length });
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  /** What the entries hold, keys included. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private add(printed: string, entry: { file: string; pdf: Uint8Array<ArrayBuffer>; bytes: number }) {
    this.entries.set(printed, entry);
    this.bytes += entry.bytes;
  }

  private forget(printed: string) {
    const entry = this.entries.get(printed);
    if (!entry) return;
    this.entries.delete(printed);
    this.bytes -= entry.bytes;
  }
}

// One per process, through globalThis: Next.js bundles this module into several routes.
const RECENT_KEY = Symbol.for("admit.ticketCache.recent");
const recentPdfs = ((globalThis as { [RECENT_KEY]?: RecentPdfs })[RECENT_KEY] ??= new RecentPdfs(RECENT_PDF_BYTES));

/** The file's bytes, or null when there is none to read (not rendered yet, swept, or the cache is unusable). */
function readIfCached(file: string): Uint8Array<ArrayBuffer> | null {
  try {
    // The path is a cache file under the data dir, not a source file the bundler should trace.
    return readFileSync(/*turbopackIgnore: true*/ file);
  } catch {
    return null;
  }
}

async function renderToCache(file: string, tickets: PrintedTicket[], printed: string): Promise<Uint8Array<ArrayBuffer>> {
  // Copied into an ArrayBuffer of its own, the type a Response body takes (a render is rare).
  const pdf = new Uint8Array(await renderTicketsPdf(tickets));
  try {
    await writeAtomically(file, pdf);
    cacheHealth.wrote();
    recentPdfs.remember(printed, file, pdf);
  } catch (error) {
    cacheHealth.failed(error);
  }
  return pdf;
}

/**
 * Whether the cache folder takes files. When it stops (disk full, folder unwritable) every
 * download renders in memory, and the log says so once, not once per request, until a write
 * succeeds again. Shared through globalThis: Next.js bundles this module into several routes.
 */
const cacheHealth = (() => {
  const key = Symbol.for("admit.ticketCache.failure");
  const state = globalThis as { [key]?: string };
  return {
    failed(error: unknown) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      if (state[key] === reason) return;
      state[key] = reason;
      console.error(`Ticket PDF cache ${ticketCacheDir()} can't be written (${reason}); tickets are rendered in memory until it can:`, error);
    },
    wrote() {
      if (state[key] === undefined) return;
      state[key] = undefined;
      console.error(`Ticket PDF cache ${ticketCacheDir()} is written to again.`);
    },
  };
})();

/**
 * Writes the PDF to a uniquely named temp file beside the target, fsyncs it and renames it into
 * place, so a file under its final name is always complete. A crash or error at any point leaves
 * at most a `.tmp` file, which is never served (the sweep removes it); other processes rendering
 * the same tickets just rename identical bytes over it.
 */
async function writeAtomically(file: string, pdf: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
  try {
    const handle = await fs.open(temp, "wx", 0o600);
    try {
      await handle.writeFile(pdf);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/** Makes the rename itself durable; best effort, as some filesystems refuse to fsync a directory. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The file is complete either way; at worst a crash loses it and it is rendered again.
  }
}

/** A temp file this old belongs to a render that died (a render takes seconds at most). */
const ABANDONED_TEMP_MS = 60 * 60_000;

/**
 * Deletes what will never be served again, so the cache holds at most one file per set of
 * tickets asked for within `maxAgeMs`:
 * - a PDF superseded by a newer one of the same tickets (the content changed: a rename, a
 *   cancellation, a new secret or template), or named in a format this version doesn't write;
 * - a PDF written more than `maxAgeMs` ago (TICKET_CACHE_DAYS), so tickets no one asks for any
 *   more don't stay for ever;
 * - temp files of renders that died.
 * Safe while serving: a request reads a file whole in one step, and a deleted PDF is rendered
 * again on its next request. (Two processes serving an order across a rename can at worst make
 * the sweep delete the current file once; it is rendered again.)
 */
export async function sweepTicketCache(maxAgeMs: number, now = Date.now()): Promise<{ removed: number }> {
  const root = ticketCacheDir();
  let removed = 0;
  const remove = async (file: string) => {
    await fs.rm(file, { force: true });
    removed++;
  };
  const shards = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  for (const shard of shards) {
    if (!shard.isDirectory()) continue;
    const dir = path.join(root, shard.name);
    const newestOfSet = new Map<string, { file: string; mtimeMs: number }>();
    // A shard may vanish meanwhile (another process sweeping): nothing to do there then.
    for (const name of await fs.readdir(dir).catch(() => [])) {
      const file = path.join(dir, name);
      const stat = await fs.stat(file).catch(() => null);
      if (!stat?.isFile()) continue;
      const age = now - stat.mtimeMs;
      const set = FILE_NAME.exec(name)?.[1];
      if (name.endsWith(TEMP_SUFFIX)) {
        if (age > Math.min(maxAgeMs, ABANDONED_TEMP_MS)) await remove(file);
      } else if (set === undefined || age > maxAgeMs) {
        await remove(file);
      } else {
        const newest = newestOfSet.get(set);
        if (newest === undefined) {
          newestOfSet.set(set, { file, mtimeMs: stat.mtimeMs });
        } else if (stat.mtimeMs > newest.mtimeMs) {
          await remove(newest.file);
          newestOfSet.set(set, { file, mtimeMs: stat.mtimeMs });
        } else {
          await remove(file);
        }
      }
    }
  }
  return { removed };
}
