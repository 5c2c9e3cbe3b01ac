import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/db/client";
import { hasPasswordByEmail } from "@/server/auth/accounts";
import { inspectEmailLink } from "@/server/auth/email-links";
import { pageCaller } from "@/server/auth/page-session";
import { formatEventRange } from "@/lib/format";
import { orderLanding } from "@/server/orders/queries";
import { invitationOfLink } from "@/server/team/invitations";
import { EmailMeALink } from "../signin/email-me-a-link";
import { FollowLink, RenewLink } from "./link-actions";

export const metadata: Metadata = { title: "Your link", robots: { index: false } };

type Props = { searchParams: Promise<{ token?: string | string[] }> };

/**
 * The page every emailed link opens (server/auth/email-links.ts). Opening it changes nothing: it
 * says what the link is for and whose it is, and its button (a POST) follows it. A used, expired
 * or broken link says so, with a way to get a new one right here.
 */
export default async function EmailLinkPage({ searchParams }: Props) {
  const raw = (await searchParams).token;
  const token = typeof raw === "string" ? raw : Array.isArray(raw) ? (raw[0] ?? "") : "";
  const found = await inspectEmailLink(db(), token);
  const caller = await pageCaller();

  if (found.state === "invalid") {
    return (
      <Frame title="This link isn't valid">
        <p>It may have been cut off when it was copied, or changed. Nothing happened.</p>
        <p>Enter your email and we&apos;ll send you a new sign-in link.</p>
        <EmailMeALink />
      </Frame>
    );
  }

  const { link } = found;
  const signedInHere = caller?.user.email === link.email;
  if (found.state !== "valid") {
    return (
      <Frame title={found.state === "used" ? "This link was already used" : "This link has expired"}>
        <p>
          {found.state === "used" ? "Each link works once." : "Links only work for a short while."} We can email a new one to{" "}
          <strong className="break-all">{link.email}</strong>.
        </p>
        {signedInHere && (
          <p>
            This browser is already signed in as that address:{" "}
            <Link className="font-medium text-indigo-700 underline" href={link.returnTo}>
              continue
            </Link>
            .
          </p>
        )}
        <RenewLink token={token} />
      </Frame>
    );
  }

  const invitation = link.purpose === "invitation" ? await invitationOfLink(db(), link) : null;
  if (invitation?.state === "gone") {
    return (
      <Frame title="This invitation is no longer valid">
        <p>It was withdrawn, or it expired. Ask the event&apos;s owner to invite you again.</p>
      </Frame>
    );
  }
  const landing = link.purpose === "order" ? await orderLanding(db(), link.returnTo) : null;
  const single = link.returnTo.includes("ticket=");
  const what = {
    sign_in: { title: "Sign in to Admit", button: "Sign in" },
    verify: { title: "Confirm your email", button: "Confirm my email" },
    order: { title: landing ? `Your ${single ? "ticket" : "tickets"} for ${landing.name}` : "Your tickets", button: single ? "Get my ticket" : "Get my tickets" },
    invitation: { title: invitation?.state === "pending" ? `Join the team of ${invitation.eventName}` : "Join an event's team", button: "Accept the invitation" },
  }[link.purpose];
  const resets = link.purpose === "sign_in" && (await hasPasswordByEmail(db(), link.email));

  return (
    <Frame title={what.title}>
      {landing && (
        <p className="text-slate-700">
          {formatEventRange(landing)}
          <br />
          {landing.venue}
        </p>
      )}
      {invitation?.state === "pending" && <p>You are invited as {invitation.role === "registrar" ? "a registrar (check-in)" : `an ${invitation.role}`}.</p>}
      <p>
        This signs this browser in as <strong className="break-all">{link.email}</strong>
        {link.purpose === "order" ? ", no password needed, and downloads your " + (single ? "ticket" : "tickets") + " (PDF)." : ", no password needed."}
      </p>
      {resets && <p>Your password will be removed, and your other devices signed out: set a new password from your account page afterwards.</p>}
      {caller && !signedInHere && (
        <p>
          You are signed in as <span className="break-all">{caller.user.email}</span>; continuing signs you out of that account here.
        </p>
      )}
      <FollowLink token={token} label={what.button} />
    </Frame>
  );
}

function Frame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="mx-auto max-w-md">
      <div className="card space-y-4 text-slate-600">
        <h1 className="text-2xl font-bold text-slate-900">{title}</h1>
        {children}
      </div>
    </div>
  );
}
