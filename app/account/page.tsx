import type { Metadata } from "next";
import { db } from "@/db/client";
import { hasPassword } from "@/server/auth/accounts";
import { requirePageCaller } from "@/server/auth/page-session";
import { ChangePasswordForm } from "./change-password-form";
import { ResendVerification } from "./resend-verification";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const caller = await requirePageCaller("/account");
  const withPassword = await hasPassword(db(), caller.user.id);
  return (
    <div className="mx-auto max-w-lg space-y-6">
      <h1 className="text-2xl font-bold">Your account</h1>
      <section className="card space-y-1">
        <p><span className="text-slate-600">Name:</span> {caller.user.name}</p>
        <p><span className="text-slate-600">Email:</span> {caller.user.email} {caller.user.emailVerified ? <span className="text-green-700">(confirmed)</span> : <span className="text-amber-700">(not confirmed)</span>}</p>
        {!caller.user.emailVerified && <ResendVerification />}
      </section>
      <section className="card">
        <h2 className="mb-4 text-lg font-semibold">{withPassword ? "Change password" : "Set a password"}</h2>
        {!withPassword && (
          <p className="mb-4 text-sm text-slate-600">
            Your account has no password: you sign in with links we email you. Set one to sign in with it too.
          </p>
        )}
        <ChangePasswordForm hasPassword={withPassword} />
      </section>
    </div>
  );
}
