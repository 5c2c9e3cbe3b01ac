import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { outboxDir } from "@/server/mail";

export type OutboxMail = { from: string; to: string; subject: string; text: string; html?: string; sentAt: string };

/**
 * Mail the app "sent" to an address, oldest first. Without SMTP_URL every message is a JSON file
 * in the outbox, which all test files share: filter by a recipient unique to the test.
 */
export function mailsTo(address: string): OutboxMail[] {
  let files: string[] = [];
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
