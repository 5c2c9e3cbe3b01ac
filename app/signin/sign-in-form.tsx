"use client";

import { FormError, TextField, useFocusFirstError } from "@/app/_components/form-field";
import { NETWORK_ERROR_MESSAGE } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";
import { signIn } from "next-auth/react";
import { EmailMeALink } from "./email-me-a-link";
import { useState } from "react";

const MESSAGES: Record<string, string> = {
  rate_limited: "Too many failed attempts. Wait 15 minutes and try again.",
  credentials: "Email or password is wrong.",
};

/** One failed attempt; a new object each time, so focus moves to the message again. */
type Failure = { message: string };

export function SignInForm({ returnTo }: { returnTo: string }) {
  const hydrated = useHydrated();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useFocusFirstError(failure);
  // The link form opens on request, prefilled with what was typed above.
  const [linkFormOpen, setLinkFormOpen] = useState(false);
  const [typedEmail, setTypedEmail] = useState("");
  const openLinkForm = () => {
    setTypedEmail(String(new FormData(formRef.current ?? undefined).get("email") ?? ""));
    setLinkFormOpen(true);
  };

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setFailure(null);
    let result: Awaited<ReturnType<typeof signIn>> | undefined;
    try {
      result = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
    } catch {
      // No answer at all (offline, server down): say so; nothing is retried behind the person's back.
      setBusy(false);
      setFailure({ message: NETWORK_ERROR_MESSAGE });
      return;
    }
    if (!result || result.error) {
      setBusy(false);
      setFailure({ message: MESSAGES[result?.code ?? "credentials"] ?? MESSAGES.credentials });
      return;
    }
    // A full navigation, so the header and every server component see the new session.
    window.location.assign(returnTo);
  }

  return (
    <div className="space-y-6">
    <form ref={formRef} method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField id="email" label="Email" type="email" autoComplete="email" required />
      <TextField id="password" label="Password" type="password" autoComplete="current-password" required />
      <FormError>{failure?.message}</FormError>
      <button className="btn w-full" type="submit" disabled={!hydrated || busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
      <section className="space-y-3 border-t border-slate-200 pt-4">
        <h2 className="text-base font-semibold">
          Forgot your password, or never had one?
        </h2>
        {linkFormOpen ? (
          <>
            <p className="text-sm text-slate-600">We&apos;ll email you a link that signs you in. If you had a password, following it resets it.</p>
            <EmailMeALink returnTo={returnTo} defaultEmail={typedEmail} autoFocus />
          </>
        ) : (
          <button type="button" className="btn-secondary w-full" onClick={openLinkForm}>
            Email me a sign-in link
          </button>
        )}
      </section>
    </div>
  );
}
