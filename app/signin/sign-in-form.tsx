"use client";

import { useHydrated } from "@/app/_components/use-hydrated";
import { signIn } from "next-auth/react";
import { useState } from "react";

const MESSAGES: Record<string, string> = {
  rate_limited: "Too many failed attempts. Wait 15 minutes and try again.",
  credentials: "Email or password is wrong.",
};

export function SignInForm({ returnTo }: { returnTo: string }) {
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (!result || result.error) {
      setBusy(false);
      setError(MESSAGES[result?.code ?? "credentials"] ?? MESSAGES.credentials);
      return;
    }
    // A full navigation, so the header and every server component see the new session.
    window.location.assign(returnTo);
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <div>
        <label className="label" htmlFor="email">Email</label>
        <input className="input" id="email" name="email" type="email" autoComplete="email" required />
      </div>
      <div>
        <label className="label" htmlFor="password">Password</label>
        <input className="input" id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button className="btn w-full" type="submit" disabled={!hydrated || busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
