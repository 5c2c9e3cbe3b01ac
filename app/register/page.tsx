import type { Metadata } from "next";
import Link from "next/link";
import { linkWithReturnPath, safeReturnPath } from "@/lib/return-path";
import { RegisterForm } from "./register-form";

export const metadata: Metadata = { title: "Create account" };

export default async function RegisterPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[] }> }) {
  // After registering, sign-in brings the visitor back where they came from: a path on our origin only.
  const returnTo = safeReturnPath((await searchParams).callbackUrl);
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-6 text-2xl font-bold">Create your account</h1>
      <div className="card">
        <RegisterForm returnTo={returnTo} />
      </div>
      <p className="mt-4 text-center text-sm text-slate-600">
        Already have an account?{" "}
        <Link className="font-medium text-indigo-700 underline" href={linkWithReturnPath("/signin", returnTo)}>
          Sign in
        </Link>
      </p>
    </div>
  );
}
