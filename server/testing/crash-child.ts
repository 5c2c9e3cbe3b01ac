import { migrateDb, openDb } from "@/db/client";
import { beforeStatements } from "@/server/testing/statement-hook";
import { authenticateCookie } from "@/server/auth/caller";
import { attemptCheckIn } from "@/server/checkin/checkin";
import { queueOrderEmails } from "@/server/orders/emails";
import { placeOrder } from "@/server/orders/place";

/**
 * A stand-in for a server process that gets `kill -9`ed mid-work (server/kill-9.test.ts). It
 * opens the database the way the server does (migrating it; a SQLite file or a PostgreSQL URL,
 * whichever DATABASE_URL's dialect is), then runs the same domain code as
 * the server's requests, one after another, and prints a line after each one commits, so the test
 * knows what was acknowledged before the kill.
 *
 *   node --import tsx server/testing/crash-child.ts '<JSON job>'
 *
 * With `dieAt`, the process SIGKILLs itself just before the (after+1)-th statement whose SQL
 * matches `dieAt.sql` runs: inside a transaction, half of its writes done, as a kill at the
 * worst moment would leave it. Without, it runs until the test kills it.
 */
export type CrashJob = {
  /** The database: a SQLite file or a PostgreSQL URL (the AppDb's `$admit.location`). */
  database: string;
  /** A browser session secret: the caller the work is done as. */
  session: string;
  dieAt?: { sql: string; after: number };
} & ({ kind: "checkout"; eventId: string; ticketTypeId: string; attendeesPerOrder: number } | { kind: "checkin"; secrets: string[] });

const job = JSON.parse(process.argv[2]) as CrashJob;

if (job.dieAt) {
  const { after } = job.dieAt;
  let seen = 0;
  // The matching statements count down to the kill, which comes before the statement is sent.
  beforeStatements(new RegExp(job.dieAt.sql, "i"), () => {
    if (seen++ >= after) process.kill(process.pid, "SIGKILL");
  });
}

const db = openDb(job.database);
await migrateDb(db);
const auth = await authenticateCookie(db, job.session);
if (auth.kind !== "caller") throw new Error("crash-child: the session did not authenticate");
const caller = auth.caller;
const say = (line: string) => process.stdout.write(`${line}\n`);

if (job.kind === "checkout") {
  for (let n = 0; ; n++) {
    const people = Array.from({ length: job.attendeesPerOrder }, (_, i) => ({ ticketTypeId: job.ticketTypeId, name: `Guest ${n}.${i}`, email: `guest-${n}-${i}@crash.test` }));
    const input = { eventId: job.eventId, items: [{ ticketTypeId: job.ticketTypeId, quantity: people.length }], attendees: people };
    // As the checkout procedure does: the order's mails are queued in its transaction.
    const placed = await placeOrder(db, caller, input, (tx, order) => queueOrderEmails(tx, order));
    say(`placed ${placed.order.id}`);
  }
} else {
  for (const secret of job.secrets) {
    const outcome = await attemptCheckIn(db, caller, { secret });
    say(`${outcome.status} ${"attendee" in outcome ? outcome.attendee.id : "-"}`);
  }
  say("done");
}
