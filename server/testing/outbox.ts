import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { outboxDir } from "@/server/mail";

export type SentMail = { to: string; subject: string; text: string; sentAt: string };

/**
 * Mail the app "sent" to an address, oldest first. The outbox folder is shared by every test
 * file running in parallel, so tests look only at their own (unique) addresses.
 */
export function mailsTo(address: string): SentMail[] {
  let files: string[] = [];
  try {
    files = readdirSync(outboxDir()).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .map((f) => JSON.parse(readFileSync(path.join(outboxDir(), f), "utf8")) as SentMail)
    .filter((mail) => mail.to.toLowerCase() === address.toLowerCase())
    .sort((a, b) => a.sentAt.localeCompare(b.sentAt));
}
