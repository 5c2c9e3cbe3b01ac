import "server-only";
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Db } from "@/db/client";
import { mailQueue } from "@/db/schema";
import { config, ensurePrivateDir, PRIVATE_FILE_MODE } from "@/server/config";
import { randomId } from "@/server/ids";

export type Mail = { to: string; subject: string; text: string; html?: string };

/**
 * Mail is a transactional outbox: `enqueueMail` writes the message into the mail_queue table with
 * the transaction that causes it (an order, a confirmation link, a cancelled ticket), so a mail
 * exists exactly when its cause committed. Nothing here talks to SMTP on a request's time: the
 * worker of server/mail-worker.ts delivers queued mail with retries, and a request never waits
 * for, or fails because of, the mail server.
 */
export async function enqueueMail(tx: Db, mail: Mail, now = Date.now()): Promise<string> {
  return (await enqueueMails(tx, [mail], now))[0];
}

export async function enqueueMails(tx: Db, mails: readonly Mail[], now = Date.now()): Promise<string[]> {
  if (mails.length === 0) return [];
  const rows = mails.map((mail) => ({
    id: randomId(),
    recipient: mail.to,
    subject: mail.subject,
    bodyText: mail.text,
    bodyHtml: mail.html ?? null,
    status: "pending" as const,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  }));
  await tx.insert(mailQueue).values(rows);
  nudgeMailWorkerSoon();
  return rows.map((row) => row.id);
}

/** What a running mail worker registers, so any copy of this module (Next.js bundles several) can wake it. */
export type MailWorkerHandle = { nudge(): void };
const WORKER = Symbol.for("admit.mailWorker");
type WithWorker = { [WORKER]?: MailWorkerHandle };

export function registerMailWorker(handle: MailWorkerHandle | undefined): void {
  (globalThis as WithWorker)[WORKER] = handle;
}

/**
 * Wakes this process's worker once the current task is over. The enqueuing transaction may not
 * have committed by then: on SQLite the worker's first statement waits for it (statements outside
 * a transaction wait for it to end, db/client.ts); on PostgreSQL the worker's connection doesn't
 * see the uncommitted mail yet, and its next poll (a fraction of a second later) picks it up.
 */
export function nudgeMailWorkerSoon(): void {
  const worker = (globalThis as WithWorker)[WORKER];
  if (worker) setImmediate(() => worker.nudge());
}

export function outboxDir(): string {
  return path.join(config().dataDir, "outbox");
}

/**
 * SMTP gives up well within the worker's claim on a mail (server/mail-worker.ts), so a slow
 * server can't make a claim lapse while its mail is still being sent, and another worker send it
 * again.
 */
export const SMTP_TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

const transports = new Map<string, nodemailer.Transporter>();

function smtpTransport(url: string): nodemailer.Transporter {
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS_MS });
    transports.set(url, transport);
  }
  return transport;
}

/**
 * Delivers one message now: over SMTP when `smtpUrl` (SMTP_URL) is set; otherwise as one JSON
 * file in the outbox folder, which the tests and a developer without a mail server read. Only the
 * mail worker calls this. `id` (the queue row's) becomes the Message-ID, so a receiver can tell a
 * resend of one message from a new one.
 */
export async function deliverMail(mail: Mail, id: string, smtpUrl = config().smtpUrl): Promise<void> {
  if (smtpUrl) {
    await smtpTransport(smtpUrl).sendMail({ from: config().mailFrom, ...mail, messageId: `<${id}@admit.local>` });
    return;
  }
  const dir = outboxDir();
  // Mail holds sign-in and verification links: readable by the server's user only.
  ensurePrivateDir(dir);
  // Named by the queue row: delivering one message twice rewrites one file.
  const name = `${id}.json`;
  const tmp = path.join(dir, `.${name}.tmp`);
  writeFileSync(tmp, JSON.stringify({ id, from: config().mailFrom, ...mail, sentAt: new Date().toISOString() }, null, 2), { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, path.join(dir, name));
}

/** Absolute links in emails; APP_URL when configured, else the local server. */
export function appUrl(pathname: string): string {
  const base = config().appUrl ?? `http://localhost:${config().port}`;
  return base + pathname;
}

/** Names come from users; a line break in a subject would be a header injection attempt. */
export const oneLine = (text: string) => text.replace(/[\r\n\u0000-\u001f\u007f]+/g, " ").trim();

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A paragraph, or a bulleted list. */
export type MailBlock = string | string[];

export type MailContent = {
  to: string;
  subject: string;
  greeting: string;
  body: MailBlock[];
  /** The one link of the mail, shown as a button (and as a plain URL in the text part). */
  action?: { label: string; url: string };
  /** After the button: how long the link lasts, what to do if it wasn't you. */
  footer?: MailBlock[];
};

/**
 * Every mail Admit sends: a plain-text part and an HTML part saying the same, with at most one
 * link, in the button. Everything from users is escaped in the HTML and kept to one line in the
 * subject.
 */
export function composeMail(content: MailContent): Mail {
  const text = [content.greeting, ...content.body, ...(content.action ? [`${content.action.label}:\n${content.action.url}`] : []), ...(content.footer ?? [])]
    .map((block) => (Array.isArray(block) ? block.map((item) => `- ${item}`).join("\n") : block))
    .join("\n\n");
  const htmlBlock = (block: MailBlock, style = "margin:0 0 16px") =>
    Array.isArray(block)
      ? `<ul style="${style};padding-left:20px">${block.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`
      : `<p style="${style}">${escapeHtml(block).replace(/\n/g, "<br>")}</p>`;
  const button = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:#4338ca;color:#ffffff;padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:600">${escapeHtml(content.action.label)}</a></p>`
    : "";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(oneLine(content.subject))}</title></head>
<body style="margin:0;background:#f8fafc;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#0f172a;font-size:16px;line-height:1.5">
<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff">
${[content.greeting, ...content.body].map((block) => htmlBlock(block)).join("\n")}
${button}
${(content.footer ?? []).map((block) => htmlBlock(block, "margin:0 0 12px;color:#475569;font-size:14px")).join("\n")}
</div></body></html>`;
  return { to: content.to, subject: oneLine(content.subject), text, html };
}
