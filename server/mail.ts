import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import { config, ensurePrivateDir, PRIVATE_FILE_MODE } from "@/server/config";
import { randomId } from "@/server/ids";

export type Mail = { to: string; subject: string; text: string; html?: string };

const FROM = "Admit <no-reply@admit.local>";

export function outboxDir(): string {
  return path.join(config().dataDir, "outbox");
}

let transport: nodemailer.Transporter | undefined;

/**
 * Sends over SMTP when SMTP_URL is set; otherwise writes one JSON file per message into the
 * outbox folder (what the tests and a developer without a mail server read).
 */
export async function sendMail(mail: Mail): Promise<void> {
  const { smtpUrl } = config();
  if (smtpUrl) {
    transport ??= nodemailer.createTransport(smtpUrl);
    await transport.sendMail({ from: FROM, ...mail });
    return;
  }
  const dir = outboxDir();
  // Mail holds sign-in and verification links: readable by the server's user only.
  ensurePrivateDir(dir);
  const name = `${Date.now()}-${randomId(6)}.json`;
  const tmp = path.join(dir, `.${name}.tmp`);
  writeFileSync(tmp, JSON.stringify({ from: FROM, ...mail, sentAt: new Date().toISOString() }, null, 2), { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, path.join(dir, name));
}

/** Absolute links in emails; APP_URL when configured, else the local server. */
export function appUrl(pathname: string): string {
  const base = config().appUrl ?? `http://localhost:${config().port}`;
  return base + pathname;
}

/** Names come from users; a line break in a subject would be a header injection attempt. */
export const oneLine = (text: string) => text.replace(/[\r\n\u0000-\u001f\u007f]+/g, " ").trim();

/**
 * Sends mail about something that has already committed (an order, a change to tickets). A mail
 * failure must not undo or fail what happened: every link leads to a page showing the current
 * state, so failures are logged, and the other messages still go out.
 */
export async function sendAll(mails: Mail[], what: string): Promise<void> {
  for (const mail of mails) {
    try {
      await sendMail(mail);
    } catch (error) {
      console.error(`Could not send ${what}:`, error);
    }
  }
}
