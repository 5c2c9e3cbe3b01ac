import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { closeGracefully } from "./graceful";

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("closeGracefully", () => {
  it("finishes the request in flight, refuses new connections, and resolves once it is done", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer(async (_req, res) => {
      arrived();
      await held;
      res.end("finished");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;

    const slow = get(port);
    await inFlight;
    let closed = false;
    const closing = closeGracefully(server, 60_000).then(() => (closed = true));
    // Stopped accepting: a new connection is refused while the old request is still running.
    await expect(get(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(closed).toBe(false);
    release();
    expect(await slow).toEqual({ status: 200, body: "finished" });
    await closing;
    expect(closed).toBe(true);
  });

  it("cuts a request that outlives the timeout, so a stuck one can't hold the process", async () => {
    const server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    server.on("request", () => arrived());
    const stuck = get(port).catch((error: NodeJS.ErrnoException) => error.code);
    await inFlight;
    await closeGracefully(server, 10);
    expect(await stuck).toBe("ECONNRESET");
  });
});
