import "server-only";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { closeSync, createReadStream, fstatSync, openSync, read, readSync } from "node:fs";
import fs from "node:fs/promises";
import { Readable } from "node:stream";
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { prepared } from "@/db/prepared";
import { attendees, events, orders, ticketTypes } from "@/db/schema";
import { formatMoney } from "@/lib/format";
import { config } from "@/server/config";
import { notFound } from "@/server/errors";
import { printedFingerprint, renderTicketsPdf, TEMPLATE_VERSION, type PrintedTicket } from "./document";

/**
 * The PDF cache under `<dataDir>/tickets/`. No HTTP and no access decisions here: callers pass
 * attendee ids they have already been allowed to see (server/access.ts).
 *
 * A file's name is a keyed hash of everything printed in it, so a rename, cancellation,
 * regenerated secret or edited event gives a new name and the old file is simply never asked
 * for again. Names never come from request input, and the HMAC key (from AUTH_SECRET) means a
 * name can't be computed, or confirmed, by anyone who only knows what's printed.
 */

export type TicketFile = {
  /** Absolute path of the rendered PDF; complete whenever it exists (written by rename). */
  path: string;
  key: string;
  /** The attendees in the file, in page order. */
  attendeeIds: string[];
};

// The hot path's queries, prepared once per connection (db/prepared.ts): every download runs them.
const printedStatement = (db: Db) =>
  db
    .select({ attendee: attendees, ticketType: ticketTypes, event: events, orderId: orders.id })
    .from(attendees)
    // Every join is pinned to the attendee's event, so rows from another event can't mix in.
    .innerJoin(orders, and(eq(orders.id, attendees.orderId), eq(orders.eventId, attendees.eventId)))
    .innerJoin(ticketTypes, and(eq(ticketTypes.id, attendees.ticketTypeId), eq(ticketTypes.eventId, attendees.eventId)))
    .innerJoin(events, eq(events.id, attendees.eventId))
    .where(eq(attendees.orderId, sql.placeholder("orderId")))
    .orderBy(asc(attendees.createdAt), asc(attendees.id));

/**
 * Which of an order's attendees go into a file: their ids, or a choice made from all the order's
 * attendee ids (in page order), e.g. "the ones this caller may see".
 */
export type AttendeeChoice = readonly string[] | ((orderAttendeeIds: string[]) => string[]);

/**
 * What gets printed for these attendees of the order, in purchase order whatever the order of
 * `attendeeIds`, so one set of tickets always maps to one file. An id outside the order is
 * "not found": this never widens what the caller asked for.
 */
export async function printedTicketsFor(db: Db, orderIdentifier: string, choice: AttendeeChoice): Promise<PrintedTicket[]> {
  // The whole order in one prepared statement, filtered here (no IN list of any length).
  const orderRows = await prepared(db, "ticket-printed-rows", printedStatement).execute({ orderId: orderIdentifier });
  const wanted = new Set(typeof choice === "function" ? choice(orderRows.map((row) => row.attendee.id)) : choice);
  if (wanted.size === 0) throw notFound("No tickets to download");
  const rows = orderRows.filter((row) => wanted.has(row.attendee.id));
  if (rows.length !== wanted.size) throw notFound("No such ticket in this order");
  return rows.map(({ attendee, ticketType, event, orderId }) => ({
    eventName: event.name,
    venue: event.venue,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    timeZone: event.timeZone,
    attendeeName: attendee.name,
    attendeeIdentifier: attendee.id,
    ticketTypeName: ticketType.name,
    priceLabel: formatMoney(ticketType.priceCents, ticketType.currency),
    orderIdentifier: orderId,
    checkinSecret: attendee.checkinSecret,
    doorCode: attendee.doorCode,
    status: event.cancelledAt !== null && attendee.status === "valid" ? "event_cancelled" : attendee.status,
  }));
}

let keyFor: { secret: string; key: Buffer } | undefined;
/** Derived for this purpose only, so the cache key never doubles as a token or cookie key. */
function cacheHmacKey(): Buffer {
  const secret = config().authSecret;
  if (keyFor?.secret !== secret) {
    keyFor = { secret, key: createHash("sha256").update(`admit:ticket-cache:v1:${secret}`).digest() };
  }
  return keyFor.key;
}

/**
 * Keyed hash of the template version and every page's fingerprint, in page order: the order of
 * pages is itself printed, and it is fixed by `printedTicketsFor`, so equal sets share a file.
 */
export function cacheKeyFor(tickets: readonly PrintedTicket[]): string {
  return createHmac("sha256", cacheHmacKey())
    .update(JSON.stringify([TEMPLATE_VERSION, tickets.map(printedFingerprint)]))
    .digest("hex");
}

export function ticketCacheDir(): string {
  return path.join(config().dataDir, "tickets");
}

/** The key is 64 hex chars from our own HMAC: nothing from the request reaches the path. */
export function ticketPathFor(key: string): string {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new Error("ticketPathFor: not a cache key");
  return path.join(ticketCacheDir(), key.slice(0, 2), `${key}.pdf`);
}

/** Renders in progress in this process, so concurrent requests for one missing file share one render. */
const inFlight = new Map<string, Promise<Rendered>>();

/** The PDF of these attendees of the order, rendered now if it isn't cached yet. */
export async function ticketFileFor(db: Db, orderIdentifier: string, attendeeIds: AttendeeChoice): Promise<TicketFile> {
  const tickets = await printedTicketsFor(db, orderIdentifier, attendeeIds);
  const key = cacheKeyFor(tickets);
  const rendered = await ensureRendered(key, tickets);
  if ("bytes" in rendered) throw new Error(`the ticket cache can't be written: ${ticketCacheDir()}`);
  return { path: rendered.path, key, attendeeIds: tickets.map((t) => t.attendeeIdentifier) };
}

export type OpenTicketFile = TicketFile & {
  size: number;
  /** The file as a web stream (for a Response body); closes the descriptor at the end or on cancel. */
  webStream(): ReadableStream<Uint8Array>;
  /** The whole file in memory, for small files; closes the descriptor. */
  readAll(): Buffer;
  /** The file as a Node stream; closes the descriptor at the end or on destroy. */
  createReadStream(): Readable;
  /** For callers that won't stream (HEAD); closing twice is harmless. */
  close(): void;
};

/**
 * Opens the PDF for reading, rendering it first if it isn't cached. The open descriptor keeps
 * the bytes readable even if the file is swept or replaced meanwhile.
 *
 * A cache hit opens and stats the file synchronously: on the local disk the cache lives on, that
 * is a few microseconds, while the async versions each take a trip through libuv's thread pool
 * and were the largest cost of a cached download.
 */
export async function openTicketFile(db: Db, orderIdentifier: string, attendeeIds: AttendeeChoice): Promise<OpenTicketFile> {
  const tickets = await printedTicketsFor(db, orderIdentifier, attendeeIds);
  const key = cacheKeyFor(tickets);
  const file = { path: ticketPathFor(key), key, attendeeIds: tickets.map((t) => t.attendeeIdentifier) };
  for (let attempt = 1; ; attempt++) {
    const fd = tryOpen(file.path);
    if (fd !== null) return opened(file, fd);
    // Missing (never rendered, or swept between the render and the open): render, then retry once.
    if (attempt >= 2) throw new Error(`ticket file vanished right after rendering: ${file.path}`);
    const rendered = await ensureRendered(key, tickets);
    // The cache couldn't keep it (disk full, folder unwritable): the ticket is served all the same.
    if ("bytes" in rendered) return inMemory(file, rendered.bytes);
  }
}

/** A cached file, or null when there is none to read (not rendered yet, or the cache is unusable). */
function tryOpen(file: string): number | null {
  try {
    // The path is a cache file under the data dir, not a source file the bundler should trace.
    return openSync(/*turbopackIgnore: true*/ file, "r");
  } catch {
    return null;
  }
}

/** A PDF rendered for this request only, when the cache couldn't store it. */
function inMemory(file: TicketFile, bytes: Buffer): OpenTicketFile {
  return {
    ...file,
    size: bytes.length,
    webStream: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
    readAll: () => bytes,
    createReadStream: () => Readable.from([bytes]),
    close: () => {},
  };
}

function opened(file: TicketFile, fd: number): OpenTicketFile {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  try {
    const size = fstatSync(fd).size;
    return {
      ...file,
      size,
      webStream() {
        closed = true; // the stream owns the descriptor from here on
        return webStreamOf(fd, size);
      },
      readAll() {
        try {
          const bytes = Buffer.allocUnsafe(size);
          let offset = 0;
          while (offset < size) {
            const n = readSync(fd, bytes, offset, size - offset, offset);
            if (n === 0) break;
            offset += n;
          }
          return bytes.subarray(0, offset);
        } finally {
          close();
        }
      },
      createReadStream() {
        closed = true;
        return createReadStream(file.path, { fd, autoClose: true, highWaterMark: STREAM_CHUNK });
      },
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** Most orders' PDFs fit in one chunk; a 100-ticket order goes out in a handful. */
const STREAM_CHUNK = 256 * 1024;

/**
 * Reads the file chunk by chunk as the consumer pulls, with positional reads up to the size
 * fstat gave (cache files never change once renamed into place). Measured cheaper per request
 * than `Readable.toWeb(createReadStream())`, which adds a Node stream, an adapter and a read
 * just to find the end. The descriptor is closed once: at the end, on error, or on cancel (after
 * any read in flight, so a reused descriptor number is never read).
 */
export function webStreamOf(fd: number, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  let reading = false;
  let finished = false;
  let closed = false;
  const release = () => {
    if (closed) return;
    closed = true;
    closeQuietly(fd);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= size) {
        finished = true;
        release();
        controller.close();
        return;
      }
      const want = Math.min(STREAM_CHUNK, size - offset);
      const buffer = Buffer.allocUnsafe(want);
      reading = true;
      let bytesRead = 0;
      let failure: unknown = null;
      try {
        bytesRead = await readAt(fd, buffer, want, offset);
      } catch (error) {
        failure = error;
      }
      reading = false;
      if (finished) return release(); // cancelled while the read was in flight
      if (failure || bytesRead === 0) {
        finished = true;
        release();
        controller.error(failure ?? new Error("ticket file is shorter than it was when opened"));
        return;
      }
      offset += bytesRead;
      controller.enqueue(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
      if (offset >= size) {
        finished = true;
        release();
        controller.close();
      }
    },
    cancel() {
      finished = true;
      if (!reading) release();
    },
  });
}

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))));
}

/**
 * Synchronous on purpose: closing a read-only descriptor is one quick syscall, while the async
 * version costs a request object and, in a server with async hooks on (Next.js's
 * AsyncLocalStorage on Node 20), their bookkeeping; profiles showed that as a visible share.
 */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing useful to do if closing a read-only descriptor fails.
  }
}

type Rendered = { path: string } | { bytes: Buffer };

async function ensureRendered(key: string, tickets: PrintedTicket[]): Promise<Rendered> {
  const finalPath = ticketPathFor(key);
  if (await exists(finalPath)) return { path: finalPath };
  let job = inFlight.get(key);
  if (!job) {
    job = (async (): Promise<Rendered> => {
      // Checked again: a render that just finished has already left the map.
      if (await exists(finalPath)) return { path: finalPath };
      const pdf = await renderTicketsPdf(tickets);
      try {
        await writeToCache(finalPath, pdf);
      } catch (error) {
        cacheHealth.failed(error);
        return { bytes: pdf };
      }
      cacheHealth.wrote();
      return { path: finalPath };
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, job);
  }
  return job;
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

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

const TEMP_SUFFIX = ".tmp";

/**
 * Writes the rendered PDF to a uniquely named temp file beside the target, fsyncs it and renames
 * it into place. A crash or error at any point leaves at most a `.tmp` file, which is never
 * served; other processes rendering the same key just rename identical bytes over it.
 */
async function writeToCache(finalPath: string, pdf: Buffer): Promise<void> {
  const dir = path.dirname(finalPath);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(finalPath)}.${process.pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
  try {
    const handle = await fs.open(temp, "wx", 0o600);
    try {
      await handle.writeFile(pdf);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, finalPath);
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

/**
 * Deletes cached PDFs not modified for `maxAgeMs`, and temp files left by crashed renders. Safe
 * while serving: a deleted PDF is rendered again on its next request, and an open file handle
 * keeps streaming after the unlink. Run hourly by the server's maintenance (server/maintenance.ts).
 */
export async function sweepTicketCache(maxAgeMs: number, now = Date.now()): Promise<{ removed: number }> {
  const root = ticketCacheDir();
  let removed = 0;
  const shards = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  for (const shard of shards) {
    if (!shard.isDirectory()) continue;
    const dir = path.join(root, shard.name);
    for (const name of await fs.readdir(dir)) {
      const file = path.join(dir, name);
      const stat = await fs.stat(file).catch(() => null);
      if (!stat?.isFile()) continue;
      // A temp file older than any render could take belongs to a render that died.
      const limit = name.endsWith(TEMP_SUFFIX) ? Math.min(maxAgeMs, 60 * 60_000) : maxAgeMs;
      if (now - stat.mtimeMs > limit) {
        await fs.rm(file, { force: true });
        removed++;
      }
    }
  }
  return { removed };
}
