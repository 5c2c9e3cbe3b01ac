import fs from "node:fs/promises";
import { openDb } from "@/db/client";
import { ticketPdf } from "@/server/tickets/cache";
import { printedTicketsFor } from "@/server/tickets/printed";

/**
 * Run by cache.test.ts in a child process: renders an order's tickets and kills itself with
 * SIGKILL at the worst moment (what a power cut or OOM kill would do):
 * - "before-rename": after the temp file is written and fsynced but before the rename;
 * - "mid-write": halfway through writing the PDF's bytes.
 * Args: database file, order id, attendee ids as JSON, the moment (default "before-rename").
 */
const [dbFile, orderIdentifier, attendeeIdsJson, moment = "before-rename"] = process.argv.slice(2);
const db = openDb(dbFile, { migrate: false });
const die = (): void => void process.kill(process.pid, "SIGKILL");
if (moment === "mid-write") {
  const open = fs.open.bind(fs);
  fs.open = (async (...args: Parameters<typeof fs.open>) => {
    const handle = await open(...args);
    if (args[1] === "wx") {
      handle.writeFile = (async (data: Buffer) => {
        await handle.write(data.subarray(0, data.length >> 1));
        await handle.sync();
        die();
      }) as typeof handle.writeFile;
    }
    return handle;
  }) as typeof fs.open;
} else {
  fs.rename = (async () => die()) as typeof fs.rename;
}
await ticketPdf(await printedTicketsFor(db, orderIdentifier, JSON.parse(attendeeIdsJson) as string[]));
console.error(`crash-render: the ${moment} moment was reached but the process is still alive`);
process.exit(1);
