import type { Metadata } from "next";
import Link from "next/link";
import { linkWithReturnPath, safeReturnPath } from "@/lib/return-path";
import { SignInForm } from "./sign-in-form";
import { signInReason } from "./sign-in-reason";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[] }> }) {
  // Only paths on our origin: an open redirect would make our sign-in page a phishing relay.
  const returnTo = safeReturnPath((await searchParams).callbackUrl);
  const reason = signInReason(returnTo);
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-6 text-2xl font-bold">Sign in</h1>
      {reason && (
        <p className="mb-4 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900" data-testid="sign-in-reason">
          {reason}
        </p>
      )}
      <div className="card">
        <SignInForm returnTo={returnTo} />
      </div>

      <p className="mt-4 text-center text-sm text-slate-600">
        New here?{" "}
        <Link className="font-medium text-indigo-700 underline" href={linkWithReturnPath("/register", returnTo)}>
          Create an account
        </Link>
      </p>
    </div>
  );
}
