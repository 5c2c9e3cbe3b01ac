import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { db } from "@/db/client";
import { outboxDir } from "@/server/mail";
import { drainMailQueue } from "@/server/mail-worker";

export type OutboxMail = { id: string; from: string; to: string; subject: string; text: string; html?: string; sentAt: string };

/**
 * Mail the app sent to an address, oldest first: what is queued is delivered first (no worker
 * runs in tests unless one is started), then the outbox is read. Without SMTP_URL every message
 * is a JSON file in the outbox, which all test files share: filter by a recipient unique to the
 * test.
 */
export async function mailsTo(address: string): Promise<OutboxMail[]> {
  await drainMailQueue(db());
  return outboxMailsTo(address);
}

/** What is in the outbox for `address` now, without delivering anything. */
export function outboxMailsTo(address: string): OutboxMail[] {
  let files: string[];
  try {
    files = readdirSync(outboxDir()).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .map((f) => JSON.parse(readFileSync(path.join(outboxDir(), f), "utf8")) as OutboxMail)
    .filter((mail) => mail.to.toLowerCase() === address.toLowerCase())
    .sort((a, b) => a.sentAt.localeCompare(b.sentAt));
}
