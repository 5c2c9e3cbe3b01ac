import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mailQueue } from "@/db/schema";
import { enqueueMail } from "@/server/mail";
import { MailWorker } from "@/server/mail-worker";
import { freshDb } from "@/server/testing/support";
import { TestSmtpServer } from "@/server/testing/smtp";
import { drainAndStop, isShuttingDown } from "./shutdown";

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("admit.shuttingDown")];
});

describe("stopping on SIGTERM (scripts/serve.ts)", () => {
  it("refuses new connections, lets the request under way answer and the mail being delivered be marked sent, then returns", async () => {
    const db = await freshDb();
    const smtp = await TestSmtpServer.start({ delayMs: 300 });
    const worker = new MailWorker(db, { smtpUrl: smtp.url, pollMs: 60 * 60_000 }).start();

    // A request that stays under way until the test lets it answer.
    let answer!: () => void;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    let arrived!: () => void;
    const underWay = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer((_request, response) => {
      arrived();
      void gate.then(() => response.end("answered"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const inFlight = fetch(url);
    await underWay;

    // A mail the mail server has received but not yet acknowledged.
    const id = await enqueueMail(db, { to: "last@shutdown.test", subject: "Last one", text: "Sent while stopping" });
    await vi.waitFor(() => expect(smtp.received).toHaveLength(1), { timeout: 10_000 });

    const stopped = drainAndStop(server, [worker]);
    expect(isShuttingDown()).toBe(true);
    await expect(fetch(url)).rejects.toThrow();

    answer();
    expect(await (await inFlight).text()).toBe("answered");
    await stopped;
    expect(await db.select({ status: mailQueue.status, claimedUntil: mailQueue.claimedUntil }).from(mailQueue).where(eq(mailQueue.id, id))).toEqual([{ status: "sent", claimedUntil: null }]);
    expect(smtp.received).toHaveLength(1);
    await smtp.down();
  });

  it("cuts a request that outlives the grace period, so a stuck one can't hold the process", async () => {
    const server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    let arrived!: () => void;
    const underWay = new Promise<void>((resolve) => (arrived = resolve));
    server.on("request", () => arrived());
    const stuck = fetch(url).then(
      () => "answered",
      () => "cut",
    );
    await underWay;
    await drainAndStop(server, [], { graceMs: 10 });
    expect(await stuck).toBe("cut");
  });
});
