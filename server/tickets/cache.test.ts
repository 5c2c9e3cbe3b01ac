import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/tickets/[orderIdentifier]/route";
import { attendees, events } from "@/db/schema";
import { ensurePrivateDir } from "@/server/config";
import { config } from "@/server/config";
import { formatDoorCode } from "@/lib/door-code";
import { randomId } from "@/server/ids";
import { callerAs } from "@/server/testing/support";
import { renderTicketsPdf } from "./document";
import { downloadsOfOrder } from "./downloads";
import { cachedPdfPath, RecentPdfs, sweepTicketCache, ticketCacheDir, ticketPdf } from "./cache";
import { printedTicketsFor } from "./printed";
import { cookieHeader, readPdf, ticketWorld, type TicketWorld } from "@/server/testing/ticket-order";

// The real renderer, wrapped so tests can count renders and make one fail.
vi.mock("./document", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./document")>();
  return { ...actual, renderTicketsPdf: vi.fn(actual.renderTicketsPdf) };
});
const renders = vi.mocked(renderTicketsPdf);

let w: TicketWorld;
let buyerCookie: Record<string, string>;
beforeEach(async () => {
  w = await ticketWorld();
  buyerCookie = (await cookieHeader(w.db, w.users.buyer)).headers;
  renders.mockClear();
});
afterEach(() => vi.restoreAllMocks());

const allIds = () => w.order.attendees.map((a) => a.id);

function download(headers = buyerCookie): Promise<Response> {
  const request = new Request(`http://localhost/tickets/${w.order.id}`, { headers });
  return GET(request, { params: Promise.resolve({ orderIdentifier: w.order.id }) });
}

/** Where the PDF of these attendees' tickets (default: the whole order) lives now, computed without rendering. */
async function expectedPath(ids = allIds()): Promise<string> {
  return cachedPdfPath(await printedTicketsFor(w.db, w.order.id, ids));
}

function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe("where files go", () => {
  it("stores the PDF under the data dir at a keyed-hash path that contains nothing from the request", async () => {
    const pdf = await ticketPdf(await printedTicketsFor(w.db, w.order.id, allIds()));
    const file = await expectedPath();
    const relative = path.relative(config().dataDir, file);
    expect(relative).toMatch(/^tickets\/([0-9a-f]{2})\/\1[0-9a-f]{30}-[0-9a-f]{32}\.pdf$/);
    expect(file).not.toContain(w.order.id);
    for (const id of allIds()) expect(file).not.toContain(id);
    expect(readFileSync(file).equals(pdf)).toBe(true);
    expect(Buffer.from(pdf.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
  });

  it("serves exactly the bytes of the cached file, and renders it only the first time", async () => {
    const first = Buffer.from(await (await download()).arrayBuffer());
    const second = Buffer.from(await (await download()).arrayBuffer());
    expect(renders).toHaveBeenCalledTimes(1);
    expect(second.equals(first)).toBe(true);
    expect(readFileSync(await expectedPath()).equals(first)).toBe(true);
  });

  it("gives the same set of tickets one file whatever order the ids come in", async () => {
    const reversed = await printedTicketsFor(w.db, w.order.id, [...allIds()].reverse());
    expect(reversed.map((t) => t.attendeeIdentifier)).toEqual(allIds());
    expect(cachedPdfPath(reversed)).toBe(await expectedPath());
  });
});

describe("stale tickets are never served", () => {
  it("serves the new name after an attendee is renamed, from a new file", async () => {
    const before = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(before.text[0]).toContain("Bea Buyer");
    const oldPath = await (await expectedPath());

    await w.db.update(attendees).set({ name: "Beatrix Buyer-Renamed" }).where(eq(attendees.id, w.order.attendees[0].id));
    const newPath = await (await expectedPath());
    expect(newPath).not.toBe(oldPath);
    const after = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(after.text[0]).toContain("Beatrix Buyer-Renamed");
    expect(after.text.join(" ")).not.toContain("Bea Buyer ");
    expect(existsSync(newPath)).toBe(true);
    expect(renders).toHaveBeenCalledTimes(2);
  });

  it("drops the QR code of a cancelled ticket and prints a regenerated secret", async () => {
    await (await download()).arrayBuffer();
    const [first, second] = w.order.attendees;
    const fresh = randomId();
    await w.db.update(attendees).set({ status: "cancelled", cancelledAt: Date.now() }).where(eq(attendees.id, first.id));
    await w.db.update(attendees).set({ checkinSecret: fresh }).where(eq(attendees.id, second.id));

    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(pdf.pages).toBe(3);
    expect(pdf.qrCodes).toEqual([[], [fresh], [w.order.attendees[2].checkinSecret]]);
    expect(pdf.text[0]).toContain("CANCELLED");
    expect(pdf.text.join(" ")).not.toContain(second.checkinSecret);
  });

  it("prints the door code under the QR code, and the new one after the ticket is regenerated", async () => {
    const [first] = w.order.attendees;
    expect(readPdf(new Uint8Array(await (await download()).arrayBuffer())).text[0]).toContain(formatDoorCode(first.doorCode));
    await (await callerAs(w.db, w.users.organizer)).attendees.regenerateSecret({ eventId: w.event.id, attendeeId: first.id });
    const fresh = (await w.db.select().from(attendees).where(eq(attendees.id, first.id)).limit(1))[0]!;
    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(pdf.text[0]).toContain(formatDoorCode(fresh.doorCode));
    expect(pdf.text[0]).not.toContain(formatDoorCode(first.doorCode));
    expect(pdf.qrCodes[0]).toEqual([fresh.checkinSecret]);
  });

  it("prints a renamed ticket type on the next download, from a new file", async () => {
    await (await download()).arrayBuffer();
    const oldPath = (await expectedPath());
    await (await callerAs(w.db, w.users.organizer)).ticketTypes.update({
      eventId: w.event.id,
      ticketTypeId: w.event.ticketTypeId,
      name: "Supporter",
      priceCents: 4900,
      quantity: 1000,
    });
    expect((await expectedPath())).not.toBe(oldPath);
    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(pdf.text.every((page) => page.includes("Supporter"))).toBe(true);
  });

  it("prints EVENT CANCELLED and no QR code on every ticket once the event is cancelled", async () => {
    await (await download()).arrayBuffer();
    await (await callerAs(w.db, w.users.owner)).events.cancel({ eventId: w.event.id, reason: "Storm" });
    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(pdf.qrCodes).toEqual([[], [], []]);
    for (const page of pdf.text) expect(page).toContain("EVENT CANCELLED");
    for (const attendee of w.order.attendees) expect(pdf.text.join(" ")).not.toContain(formatDoorCode(attendee.doorCode));
  });

  it("changes the file when the event's printed details change", async () => {
    const oldPath = await (await expectedPath());
    await w.db.update(events).set({ venue: "Another Hall" }).where(eq(events.id, w.event.id));
    expect(await expectedPath()).not.toBe(oldPath);
    await w.db.update(events).set({ timeZone: "Europe/London" }).where(eq(events.id, w.event.id));
    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(pdf.text[0]).toContain("Another Hall");
    expect(pdf.text[0]).toContain("(Europe/London)");
  });
});

describe("concurrency", () => {
  it("renders a missing file once for 50 concurrent requests, and every one gets the full PDF", async () => {
    expect(existsSync(await expectedPath())).toBe(false);
    const responses = await Promise.all(Array.from({ length: 50 }, () => download()));
    const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, bytes: Buffer.from(await r.arrayBuffer()) })));
    expect(renders).toHaveBeenCalledTimes(1);
    expect(bodies.every((b) => b.status === 200)).toBe(true);
    expect(bodies.every((b) => b.bytes.equals(bodies[0].bytes))).toBe(true);
    expect(readPdf(bodies[0].bytes).pages).toBe(3);
    expect(await downloadsOfOrder(w.db, w.order.id)).toHaveLength(50);
  });
});

describe("interrupted renders", () => {
  it("leaves nothing behind when the renderer fails mid-way, and the next request renders correctly", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    renders.mockImplementationOnce(async () => {
      throw new Error("renderer died mid-document");
    });
    const target = await (await expectedPath());
    const failed = await download();
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe("INTERNAL_SERVER_ERROR");
    expect(existsSync(target)).toBe(false);
    expect(filesIn(path.dirname(target)).filter((f) => f.includes(path.basename(target)))).toEqual([]);
    expect(await downloadsOfOrder(w.db, w.order.id)).toHaveLength(0);

    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(pdf.qrCodes).toEqual(w.order.attendees.map((a) => [a.checkinSecret]));
    expect(existsSync(target)).toBe(true);
  });

  it("never creates the final file when the write fails before the rename, and cleans up its temp file (the ticket is served from memory)", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const rename = vi.spyOn(fs, "rename").mockRejectedValueOnce(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    const target = (await expectedPath());
    expect((await download()).status).toBe(200);
    expect(rename).toHaveBeenCalledTimes(1);
    expect(existsSync(target)).toBe(false);
    expect(filesIn(path.dirname(target)).filter((f) => f.includes(path.basename(target)))).toEqual([]);

    expect((await download()).status).toBe(200);
    expect(existsSync(target)).toBe(true);
  });

  /**
   * The order's PDF rendered in another process that is killed with SIGKILL at `moment`
   * (server/testing/crash-render.ts): the final file must not exist, and exactly one temp file is
   * left behind. Returns the final file's path and the temp file's name.
   */
  async function renderKilled(moment: "before-rename" | "mid-write"): Promise<{ target: string; leftover: string }> {
    const target = await expectedPath();
    // `node --import tsx` rather than the tsx CLI, which would run the script in a grandchild.
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "server/testing/crash-render.ts", w.db.$admit.location, w.order.id, JSON.stringify(allIds()), moment],
      { encoding: "utf8", env: { ...process.env, NODE_ENV: "test", DATA_DIR: process.env.DATA_DIR } },
    );
    expect(child.signal, child.stderr).toBe("SIGKILL");
    expect(existsSync(target)).toBe(false);
    const leftovers = filesIn(path.dirname(target)).filter((f) => f.startsWith(`.${path.basename(target)}.`));
    expect(leftovers).toHaveLength(1);
    return { target, leftover: leftovers[0] };
  }

  it("never serves what a process killed halfway through writing the PDF left behind (kill -9 during a render)", { timeout: 60_000 }, async () => {
    const { target, leftover } = await renderKilled("mid-write");

    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(pdf.qrCodes).toEqual(w.order.attendees.map((a) => [a.checkinSecret]));
    const half = readFileSync(path.join(path.dirname(target), leftover));
    expect(half.length).toBeLessThan(readFileSync(target).length);
  });

  it("never serves what a process killed between write and rename left behind", { timeout: 60_000 }, async () => {
    const { target, leftover } = await renderKilled("before-rename");
    expect(leftover).toMatch(/\.tmp$/);

    const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
    expect(renders).toHaveBeenCalledTimes(1);
    expect(pdf.qrCodes).toEqual(w.order.attendees.map((a) => [a.checkinSecret]));
    expect(existsSync(target)).toBe(true);

    // The sweeper clears a crashed render's temp file once it is clearly abandoned.
    const temp = path.join(path.dirname(target), leftover);
    const old = new Date(Date.now() - 2 * 60 * 60_000);
    utimesSync(temp, old, old);
    await sweepTicketCache(30 * 24 * 60 * 60_000);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(target)).toBe(true);
  });
});

describe("the cache folder full or unwritable", () => {
  const cacheProblems = (log: { mock: { calls: unknown[][] } }) => log.mock.calls.filter((call) => String(call[0]).includes("can't be written"));

  it("unwritable (its folder is taken by a file): every download is still served, rendered in memory, and the failure is logged once", async () => {
    const target = (await expectedPath());
    const shard = path.dirname(target);
    await fs.rm(shard, { recursive: true, force: true });
    await fs.mkdir(path.dirname(shard), { recursive: true });
    await fs.writeFile(shard, "not a folder");
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i++) {
        const pdf = readPdf(new Uint8Array(await (await download()).arrayBuffer()));
        expect(pdf.qrCodes).toEqual(w.order.attendees.map((a) => [a.checkinSecret]));
      }
      expect(cacheProblems(log)).toHaveLength(1);
      expect(await downloadsOfOrder(w.db, w.order.id)).toHaveLength(3);
    } finally {
      await fs.rm(shard, { force: true });
    }
    // Fixed: the next download fills the cache again, and the log says the cache is back.
    expect((await download()).status).toBe(200);
    expect(existsSync(target)).toBe(true);
    expect(log.mock.calls.some((call) => String(call[0]).includes("written to again"))).toBe(true);
  });

  it("full (writing fails with ENOSPC): served from memory, no temp file left behind, logged once", async () => {
    const target = (await expectedPath());
    const realOpen = fs.open.bind(fs);
    const full = vi.spyOn(fs, "open").mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      if (args[1] === "wx") {
        handle.writeFile = async () => {
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        };
      }
      return handle;
    });
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    for (let i = 0; i < 3; i++) {
      const response = await download();
      expect(response.status).toBe(200);
      readPdf(new Uint8Array(await response.arrayBuffer()));
    }
    expect(cacheProblems(log)).toHaveLength(1);
    expect(cacheProblems(log)[0][0]).toContain("ENOSPC");
    expect(existsSync(target)).toBe(false);
    expect(filesIn(path.dirname(target)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    full.mockRestore();
    expect((await download()).status).toBe(200);
    expect(existsSync(target)).toBe(true);
  });
});

describe("sweeping the cache", () => {
  it("deletes files past their age, and a swept ticket is rendered again on its next request", async () => {
    await (await download()).arrayBuffer();
    const target = await (await expectedPath());
    const old = new Date(Date.now() - 40 * 24 * 60 * 60_000);
    utimesSync(target, old, old);
    const { removed } = await sweepTicketCache(30 * 24 * 60 * 60_000);
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(existsSync(target)).toBe(false);
    expect(path.dirname(path.dirname(target))).toBe(ticketCacheDir());

    expect((await download()).status).toBe(200);
    expect(renders).toHaveBeenCalledTimes(2);
    expect(existsSync(target)).toBe(true);
  });

  it("stays bounded through a rename-and-download loop: the sweep keeps only the newest file of each set of tickets", async () => {
    const holderCookie = (await cookieHeader(w.db, w.users.holder)).headers;
    const holderIds = [w.order.attendees[1].id];
    /** The cached files of one set of tickets (an order's, a holder's), current and superseded. */
    const filesOfSet = async (ids: string[]) => {
      const current = await expectedPath(ids);
      const set = path.basename(current).split("-")[0];
      return filesIn(path.dirname(current)).filter((name) => name.startsWith(`${set}-`) && name.endsWith(".pdf"));
    };
    for (let take = 1; take <= 5; take++) {
      await w.db.update(events).set({ name: `Ticket Conf, take ${take}` }).where(eq(events.id, w.event.id));
      expect(readPdf(new Uint8Array(await (await download()).arrayBuffer())).text[0]).toContain(`take ${take}`);
      expect(readPdf(new Uint8Array(await (await download(holderCookie)).arrayBuffer())).pages).toBe(1);
    }
    expect(await filesOfSet(allIds())).toHaveLength(5);
    expect(await filesOfSet(holderIds)).toHaveLength(5);

    const { removed } = await sweepTicketCache(30 * 24 * 60 * 60_000);
    expect(removed).toBeGreaterThanOrEqual(8);
    expect(await filesOfSet(allIds())).toEqual([path.basename(await expectedPath())]);
    expect(await filesOfSet(holderIds)).toEqual([path.basename(await expectedPath(holderIds))]);

    // What is left is what is served: no render on the next downloads.
    renders.mockClear();
    expect(readPdf(new Uint8Array(await (await download()).arrayBuffer())).text[0]).toContain("take 5");
    expect((await download(holderCookie)).status).toBe(200);
    expect(renders).not.toHaveBeenCalled();
  });

  it("deletes files named in a format this version doesn't write, however new", async () => {
    const shard = path.join(ticketCacheDir(), "ab");
    ensurePrivateDir(shard);
    const legacy = path.join(shard, `${"ab".padEnd(64, "0")}.pdf`);
    writeFileSync(legacy, "%PDF-old");
    await sweepTicketCache(30 * 24 * 60 * 60_000);
    expect(existsSync(legacy)).toBe(false);
  });
});

describe("descriptors", () => {
  // Count only descriptors on ticket files: other descriptors of this worker (sockets, the
  // database, vitest's own pipes) come and go on their own and would make the count noisy.
  const openFds = () =>
    readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path.resolve(ticketCacheDir()) + path.sep);
      } catch {
        return false; // closed between listing and reading
      }
    }).length;

  it("never leaves a descriptor open across many downloads, HEADs, abandoned downloads and refusals", async () => {
    await (await download()).arrayBuffer();
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      await (await download()).arrayBuffer();
      const head = await GET(new Request(`http://localhost/tickets/${w.order.id}`, { method: "HEAD", headers: buyerCookie }), {
        params: Promise.resolve({ orderIdentifier: w.order.id }),
      });
      expect(head.status).toBe(200);
      await (await download()).body?.cancel();
      expect((await download({})).status).toBe(401);
    }
    expect(openFds()).toBe(before);
  });

  it("never leaves a descriptor open when rendering into the cache fails", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(fs, "rename").mockRejectedValueOnce(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    const before = openFds();
    expect((await download()).status).toBe(200);
    expect(openFds()).toBe(before);
  });
});

describe("the PDFs served last, in memory", () => {
  const pdfOf = (size: number, fill: number) => new Uint8Array(size).fill(fill);
  /** A file that exists under the cache folder, for entries whose file a hit checks. */
  const fileOnDisk = (name: string) => {
    const dir = path.join(ticketCacheDir(), "recent-test");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, name), "x");
    return path.join(dir, name);
  };

  it("serves the next download of the same tickets from memory, not from the file", async () => {
    const first = Buffer.from(await (await download()).arrayBuffer());
    // A file's name is the key of its content, so the app never rewrites one; bytes swapped on
    // disk show which copy the next download gets.
    writeFileSync(await expectedPath(), "not what was rendered");
    const second = Buffer.from(await (await download()).arrayBuffer());
    expect(second.equals(first)).toBe(true);
    expect(renders).toHaveBeenCalledTimes(1);
  });

  it("keeps at most its budget, the least recently served going first", () => {
    const recent = new RecentPdfs(3 * 1000 + 3 * 2 * "a".length);
    recent.remember("a", fileOnDisk("a"), pdfOf(1000, 1));
    recent.remember("b", fileOnDisk("b"), pdfOf(1000, 2));
    recent.remember("c", fileOnDisk("c"), pdfOf(1000, 3));
    expect(recent.recall("a")?.[0]).toBe(1); // now the most recently served
    recent.remember("d", fileOnDisk("d"), pdfOf(1000, 4));
    expect(recent.size).toEqual({ entries: 3, bytes: 3 * 1002 });
    expect(recent.recall("b")).toBeNull();
    expect(recent.recall("a")?.[0]).toBe(1);
    expect(recent.recall("c")?.[0]).toBe(3);
    expect(recent.recall("d")?.[0]).toBe(4);
  });

  it("never serves a file that is gone (swept or deleted), and forgets it", () => {
    const at = fileOnDisk("gone");
    const recent = new RecentPdfs(1_000_000);
    recent.remember("gone", at, pdfOf(10, 7));
    rmSync(at);
    expect(recent.recall("gone")).toBeNull();
    expect(recent.size).toEqual({ entries: 0, bytes: 0 });
  });
});
