"use client";

import { CheckInbox } from "@/app/_components/check-inbox";
import { FormError, TextField, useFocusFirstError } from "@/app/_components/form-field";
import { useHydrated } from "@/app/_components/use-hydrated";
import Link from "next/link";
import { useState } from "react";
import { linkWithReturnPath } from "@/lib/return-path";
import { fieldErrors, trpc } from "../_components/trpc";

/**
 * Registering signs this browser in and brings it back where it came from; the confirmation link
 * mailed meanwhile proves the address. An address that already has an account isn't signed in
 * (its owner is mailed instead): then the form says to check the inbox.
 */
export function RegisterForm({ returnTo }: { returnTo: string }) {
  const hydrated = useHydrated();
  const utils = trpc.useUtils();
  const register = trpc.auth.register.useMutation({
    onSuccess: async ({ email }) => {
      const me = await utils.auth.me.fetch().catch(() => null);
      // A full navigation, so the header and every server component see the new session.
      if (me) window.location.assign(returnTo);
      else setSentTo(email);
    },
  });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const errors = fieldErrors(register.error);
  const formRef = useFocusFirstError(register.error);

  if (sentTo) {
    return (
      <div className="space-y-3">
        <CheckInbox to={sentTo}>Follow it to sign in.</CheckInbox>
        <Link className="btn" href={linkWithReturnPath("/signin", returnTo)}>
          Sign in
        </Link>
      </div>
    );
  }

  return (
    <form
      ref={formRef}
      method="post"
      className="space-y-4"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        register.mutate({ name: String(form.get("name")), email: String(form.get("email")), password: String(form.get("password")), returnTo });
      }}
    >
      <TextField id="name" label="Name" autoComplete="name" error={errors.name} />
      <TextField id="email" label="Email" type="email" autoComplete="email" error={errors.email} />
      <TextField id="password" label="Password (8 to 128 characters)" type="password" autoComplete="new-password" error={errors.password} />
      <FormError>{register.error && !Object.keys(errors).length && register.error.message}</FormError>
      <button className="btn w-full" type="submit" disabled={!hydrated || register.isPending}>
        {register.isPending || register.isSuccess ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
