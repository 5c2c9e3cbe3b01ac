"use client";

import { FormError, TextField, useFocusFirstError } from "@/app/_components/form-field";
import { useHydrated } from "@/app/_components/use-hydrated";
import Link from "next/link";
import { useState } from "react";
import { linkWithReturnPath } from "@/server/http/return-path";
import { fieldErrors, trpc } from "../_components/trpc";

export function RegisterForm({ returnTo }: { returnTo: string }) {
  const hydrated = useHydrated();
  const register = trpc.auth.register.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const errors = fieldErrors(register.error);
  const formRef = useFocusFirstError(register.error);

  if (sentTo) {
    return (
      <div role="status" className="space-y-3">
        <h2 className="text-lg font-semibold">Check your inbox</h2>
        <p className="text-sm text-slate-600">
          We sent a confirmation link to <strong>{sentTo}</strong>. Confirm it to see the tickets sent to that address.
        </p>
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
        const input = { name: String(form.get("name")), email: String(form.get("email")), password: String(form.get("password")) };
        register.mutate(input, { onSuccess: (user) => setSentTo(user.email) });
      }}
    >
      <TextField id="name" label="Name" autoComplete="name" error={errors.name} />
      <TextField id="email" label="Email" type="email" autoComplete="email" error={errors.email} />
      <TextField id="password" label="Password (8 to 128 characters)" type="password" autoComplete="new-password" error={errors.password} />
      <FormError>{register.error && !Object.keys(errors).length && register.error.message}</FormError>
      <button className="btn w-full" type="submit" disabled={!hydrated || register.isPending}>
        {register.isPending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
