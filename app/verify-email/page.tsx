import type { Metadata } from "next";
import { ConfirmEmail } from "./confirm-email";

export const metadata: Metadata = { title: "Confirm email" };

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <div className="mx-auto max-w-md">
      <h1 className="mb-6 text-2xl font-bold">Confirm your email</h1>
      <div className="card">
        {typeof token === "string" && token ? (
          <ConfirmEmail token={token} />
        ) : (
          <p className="text-sm text-slate-600">This link is incomplete. Open the link from the email we sent you.</p>
        )}
      </div>
    </div>
  );
}
