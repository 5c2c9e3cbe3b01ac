import "server-only";
import { and, asc, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { mailQueue, type QueuedMail } from "@/db/schema";
import { config } from "@/server/config";
import { deliverMail, registerMailWorker } from "@/server/mail";

/**
 * Delivers the mail queued by server/mail.ts. Any number of workers (threads, processes, app
 * instances on one database) may run: a worker takes a mail only through `claimMail`, one
 * conditional UPDATE that succeeds for exactly one of them, and writes the outcome back only
 * while that claim is still its own. A claim lasts `leaseMs`, longer than SMTP may take
 * (SMTP_TIMEOUTS_MS), so a live worker never has its mail taken over; a worker that dies
 * mid-delivery leaves a claim that lapses, and the mail is tried again. So a mail goes out once,
 * except when a worker dies between the mail server accepting it and the row being marked sent:
 * then it goes out again (at least once, never lost).
 */

export type MailRetryPolicy = {
  /** After this many failed attempts a mail is marked failed (staff can retry it from /admin). */
  maxAttempts: number;
  /** The wait after the first failure, doubled after each further one, up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a claim keeps other workers off a mail. */
  leaseMs: number;
};

export const MAIL_RETRY: MailRetryPolicy = {
  // 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: a mail server down for about two hours loses nothing.
  maxAttempts: 10,
  backoffBaseMs: 30_000,
  backoffMaxMs: 60 * 60_000,
  leaseMs: 2 * 60_000,
};

export function backoffMs(attempts: number, policy: Pick<MailRetryPolicy, "backoffBaseMs" | "backoffMaxMs"> = MAIL_RETRY): number {
  return Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
}

/** Pending, due, and not claimed by a live worker. */
function claimable(now: number) {
  return and(
    eq(mailQueue.status, "pending"),
    lte(mailQueue.nextAttemptAt, now),
    or(isNull(mailQueue.claimedUntil), lt(mailQueue.claimedUntil, now)),
  );
}

/**
 * Takes one mail for delivery, counting the attempt, in a single conditional UPDATE … RETURNING:
 * of any number of workers trying at once, one gets the row back and the others get nothing.
 * SQLite runs one writer at a time; on PostgreSQL (READ COMMITTED) the losers wait for the
 * winner's row lock, then re-check the condition against the row it committed, which is claimed.
 */
export async function claimMail(db: Db, id: string, now: number, leaseMs = MAIL_RETRY.leaseMs): Promise<QueuedMail | undefined> {
  const [claim] = await db
    .update(mailQueue)
    .set({ claimedUntil: now + leaseMs, attempts: sql`${mailQueue.attempts} + 1`, lastAttemptAt: now })
    .where(and(eq(mailQueue.id, id), claimable(now)))
    .returning();
  return claim;
}

/** The row as this claim left it: `attempts` changes with every claim, so a lapsed claim writes nothing. */
function stillClaimed(claim: QueuedMail) {
  return and(eq(mailQueue.id, claim.id), eq(mailQueue.status, "pending"), eq(mailQueue.attempts, claim.attempts));
}

async function recordSent(db: Db, claim: QueuedMail, now: number): Promise<void> {
  await db.update(mailQueue).set({ status: "sent", sentAt: now, claimedUntil: null, lastError: null }).where(stillClaimed(claim));
}

async function recordFailure(db: Db, claim: QueuedMail, error: unknown, now: number, policy: MailRetryPolicy): Promise<"retrying" | "failed"> {
  const lastError = describe(error);
  const gaveUp = isPermanent(error) || claim.attempts >= policy.maxAttempts;
  await db
    .update(mailQueue)
    .set(gaveUp ? { status: "failed", claimedUntil: null, lastError } : { nextAttemptAt: now + backoffMs(claim.attempts, policy), claimedUntil: null, lastError })
    .where(stillClaimed(claim));
  return gaveUp ? "failed" : "retrying";
}

type SmtpError = Error & { code?: string; responseCode?: number };

/** The mail server refused this message or its recipient for good (5xx): trying again won't help. */
function isPermanent(error: unknown): boolean {
  const { code, responseCode } = (error ?? {}) as SmtpError;
  return (code === "EENVELOPE" || code === "EMESSAGE") && typeof responseCode === "number" && responseCode >= 500 && responseCode < 600;
}

/** No mail server to talk to: the other due mails would fail the same way, so the pass ends. */
function isUnreachable(error: unknown): boolean {
  const { code } = (error ?? {}) as SmtpError;
  return code === "ECONNECTION" || code === "ETIMEDOUT" || code === "ESOCKET" || code === "EDNS" || code === "ECONNREFUSED";
}

/** The innermost cause of an error (drizzle wraps the driver's error as `cause`). */
function rootCause(error: unknown): unknown {
  let inner = error;
  for (let depth = 0; depth < 5 && inner instanceof Error && inner.cause !== undefined; depth++) inner = inner.cause;
  return inner;
}

/** What staff see in the console: the error's own words, shortened. */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${(error as SmtpError).code ? `${(error as SmtpError).code}: ` : ""}${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}…` : text;
}

export type MailWorkerOptions = Partial<MailRetryPolicy> & {
  /** How often to look for due mail; queuing mail in this process also wakes the worker at once. */
  pollMs?: number;
  /**
   * While passes fail (the database down or refusing connections), the wait between polls
   * doubles from `pollMs` up to this; the first pass that succeeds brings it back to `pollMs`.
   */
  failingPollMaxMs?: number;
  /** Mails looked at per query. */
  batchSize?: number;
  /** SMTP URL; unset (and SMTP_URL unset) → the outbox folder. */
  smtpUrl?: string;
  now?: () => number;
};

export type PassResult = { sent: number; retrying: number; failed: number };

export class MailWorker {
  private readonly policy: MailRetryPolicy;
  private readonly pollMs: number;
  private readonly failingPollMaxMs: number;
  /** The wait before the next poll: `pollMs`, or longer while passes fail. */
  private waitMs: number;
  private readonly batchSize: number;
  private readonly smtpUrl: string | undefined;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private started = false;
  private stopping = false;
  private lastProblem = "";

  constructor(
    private readonly db: Db,
    options: MailWorkerOptions = {},
  ) {
    this.policy = { ...MAIL_RETRY, ...options };
    this.pollMs = options.pollMs ?? 300;
    this.failingPollMaxMs = Math.max(this.pollMs, options.failingPollMaxMs ?? 30_000);
    this.waitMs = this.pollMs;
    this.batchSize = options.batchSize ?? 20;
    this.smtpUrl = "smtpUrl" in options ? options.smtpUrl : config().smtpUrl;
    this.now = options.now ?? Date.now;
  }

  /** Polls until `stop()`, and answers nudges from mail queued in this process (server/mail.ts). */
  start(): this {
    this.started = true;
    registerMailWorker(this);
    this.nudge();
    return this;
  }

  /** Runs a pass now, or right after the one under way; the next poll is counted from its end. */
  nudge(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.passes().finally(() => {
      this.running = null;
      if (this.started && !this.stopping) this.timer = setTimeout(() => this.nudge(), this.waitMs);
    });
  }

  /** Stops polling and waits for the delivery under way, so no claim is left behind on a clean exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    registerMailWorker(undefined);
    await this.running;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.runOnce();
        if (this.lastProblem) console.log("Mail worker: the database answers again");
        this.lastProblem = "";
        this.waitMs = this.pollMs;
      } catch (error) {
        // The database busy or gone. Polling at full pace would only knock on a closed door (a
        // connection attempt every poll), so the polls slow down until a pass succeeds; mail
        // queued in this process meanwhile still wakes the worker at once. Said once, not every
        // poll: the driver's cause, since drizzle's message quotes the query with its parameters
        // (the time among them), which differs every time.
        const problem = describe(rootCause(error));
        if (problem !== this.lastProblem) console.error(`Mail worker: ${problem} (polling less often until the database answers)`);
        this.lastProblem = problem;
        this.waitMs = Math.min(this.failingPollMaxMs, this.waitMs * 2);
      }
    } while (this.again && !this.stopping);
  }

  /** Delivers every mail due now (one batch after another), one at a time. */
  async runOnce(): Promise<PassResult> {
    const result: PassResult = { sent: 0, retrying: 0, failed: 0 };
    for (;;) {
      const due = await this.db
        .select({ id: mailQueue.id })
        .from(mailQueue)
        .where(claimable(this.now()))
        .orderBy(asc(mailQueue.nextAttemptAt), asc(mailQueue.createdAt))
        .limit(this.batchSize);
      let unreachable = false;
      for (const { id } of due) {
        if (this.stopping) return result;
        const claim = await claimMail(this.db, id, this.now(), this.policy.leaseMs);
        if (!claim) continue; // another worker has it
        try {
          await deliverMail({ to: claim.recipient, subject: claim.subject, text: claim.bodyText, html: claim.bodyHtml ?? undefined }, claim.id, this.smtpUrl);
          await recordSent(this.db, claim, this.now());
          result.sent++;
        } catch (error) {
          const outcome = await recordFailure(this.db, claim, error, this.now(), this.policy);
          result[outcome]++;
          console.error(`Mail ${claim.id}: attempt ${claim.attempts} ${outcome === "failed" ? "failed for good" : "failed, will retry"}: ${describe(error)}`);
          if (isUnreachable(error)) {
            unreachable = true;
            break;
          }
        }
      }
      if (unreachable || due.length < this.batchSize) return result;
    }
  }
}

/** The server's worker (scripts/serve.ts); tests that want one start their own. */
export function startMailWorker(db: Db, options: MailWorkerOptions = {}): MailWorker {
  return new MailWorker(db, options).start();
}

/** Delivers everything due now and returns what happened: for tests and the race harness. */
export async function drainMailQueue(db: Db, options: MailWorkerOptions = {}): Promise<PassResult> {
  return new MailWorker(db, options).runOnce();
}
