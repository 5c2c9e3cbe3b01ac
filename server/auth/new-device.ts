import "server-only";
import Bowser from "bowser";
import { and, desc, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sessions, users, type Session } from "@/db/schema";
import { appUrl, composeMail, enqueueMail } from "@/server/mail";
import { limitOn, reserve, type ActionLimit } from "@/server/rate-limit";

/**
 * Devices in words people recognise ("Chrome on Linux"), and a mail to the owner when an account
 * signs in from one it has never used.
 */

/** "Chrome on Linux" from a browser's user agent; an API client's own name for itself as it gave it. */
export function deviceLabel(kind: Session["kind"], device: string): string {
  if (kind === "api") return device;
  const agent = device.trim();
  if (!agent) return "Unknown browser";
  const parsed = Bowser.parse(agent);
  const browser = parsed.browser.name || undefined;
  const os = parsed.os.name || undefined;
  if (browser && os) return `${browser} on ${os}`;
  // Not a browser Bowser knows (a command-line client, say): its own words, shortened.
  return browser ?? os ?? agent.slice(0, 60);
}

/** How many earlier sessions are compared: enough for any person's devices, cheap to parse. */
const EARLIER_SESSIONS = 200;

/** At most this many "new device" mails per account an hour: a burst of sign-ins can't flood the owner. */
const NEW_DEVICE_MAILS: ActionLimit = { name: "new-device-mail", max: 10, windowMs: 60 * 60_000 };

/**
 * Mails the owner when `session` is the first one from its device (browser and OS, or an API
 * client's name) among the account's earlier sessions. Not for an account's first session ever
 * (nothing to compare: a new account), nor for an unproven address (the mailbox may not be the
 * account holder's). Never fails a sign-in: the mail is queued (server/mail.ts), not sent here.
 */
export async function noticeNewDevice(db: Db, session: Pick<Session, "id" | "userId" | "kind" | "device" | "ip" | "createdAt">): Promise<boolean> {
  const [owner] = await db.select({ email: users.email, name: users.name, verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, session.userId)).limit(1);
  if (!owner?.verifiedAt) return false;
  const earlier = await db
    .select({ kind: sessions.kind, device: sessions.device })
    .from(sessions)
    .where(and(eq(sessions.userId, session.userId), ne(sessions.id, session.id)))
    .orderBy(desc(sessions.createdAt))
    .limit(EARLIER_SESSIONS);
  const label = deviceLabel(session.kind, session.device);
  if (earlier.length === 0 || earlier.some((s) => deviceLabel(s.kind, s.device) === label)) return false;
  if (!(await reserve(db, [limitOn(NEW_DEVICE_MAILS, session.userId)])).ok) return false;
  const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(session.createdAt);
  await enqueueMail(
    db,
    composeMail({
      to: owner.email,
      subject: `New sign-in to Admit from ${label}`,
      greeting: `Hello ${owner.name},`,
      body: [`Your Admit account was just signed in to from a device it hasn't used before: ${label}, from the address ${session.ip}, on ${when} UTC.`],
      action: { label: "See your devices", url: appUrl("/devices") },
      footer: ["If this was you, there is nothing to do. If it wasn't, sign that device out on your Devices page and ask for a sign-in link to reset your password."],
    }),
  );
  return true;
}
