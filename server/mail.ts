import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import { config, ensurePrivateDir, PRIVATE_FILE_MODE } from "@/server/config";
import { randomId } from "@/server/ids";

export type Mail = { to: string; subject: string; text: string; html?: string };

export function outboxDir(): string {
  return path.join(config().dataDir, "outbox");
}

let transport: nodemailer.Transporter | undefined;

/**
 * Sends over SMTP when SMTP_URL is set; otherwise writes one JSON file per message into the
 * outbox folder (what the tests and a developer without a mail server read). From is MAIL_FROM.
 */
export async function sendMail(mail: Mail): Promise<void> {
  const { smtpUrl, mailFrom } = config();
  if (smtpUrl) {
    transport ??= nodemailer.createTransport(smtpUrl);
    await transport.sendMail({ from: mailFrom, ...mail });
    return;
  }
  const dir = outboxDir();
  // Mail holds sign-in links: readable by the server's user only.
  ensurePrivateDir(dir);
  const name = `${Date.now()}-${randomId(6)}.json`;
  const tmp = path.join(dir, `.${name}.tmp`);
  writeFileSync(tmp, JSON.stringify({ from: mailFrom, ...mail, sentAt: new Date().toISOString() }, null, 2), { mode: PRIVATE_FILE_MODE });
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
