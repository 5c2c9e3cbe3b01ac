import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";
import { isStaff } from "@/server/access";
import { pageCaller } from "@/server/auth/page-session";
import { SignOutButton } from "./_components/sign-out-button";
import { TrpcProvider } from "./_components/trpc";

export const metadata: Metadata = {
  title: { default: "Admit", template: "%s · Admit" },
  description: "Secure event tickets",
  icons: { icon: "/favicon.svg" },
};

export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const caller = await pageCaller();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:p-2">
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-5xl items-center gap-6 px-4 py-3" aria-label="Main">
            <Link href="/" className="text-lg font-bold tracking-tight text-indigo-700">
              Admit
            </Link>
            <Link href="/" className="text-sm text-slate-600 hover:text-slate-900">
              Events
            </Link>
            {caller && (
              <>
                <Link href="/tickets" className="text-sm text-slate-600 hover:text-slate-900">
                  My tickets
                </Link>
                <Link href="/dashboard" className="text-sm text-slate-600 hover:text-slate-900">
                  Dashboard
                </Link>
                {isStaff(caller) && (
                  <Link href="/admin" className="text-sm text-slate-600 hover:text-slate-900">
                    Admin
                  </Link>
                )}
              </>
            )}
            <div className="ml-auto flex items-center gap-4">
              {caller ? (
                <>
                  <Link href="/account" className="text-sm text-slate-700 hover:text-slate-900" data-testid="signed-in-as">
                    {caller.user.name} <span className="text-slate-400">({caller.user.email})</span>
                  </Link>
                  <Link href="/devices" className="text-sm text-slate-600 hover:text-slate-900">
                    Devices
                  </Link>
                  <SignOutButton />
                </>
              ) : (
                <>
                  <Link href="/signin" className="text-sm font-medium text-slate-700 hover:text-slate-900">
                    Sign in
                  </Link>
                  <Link href="/register" className="btn">
                    Create account
                  </Link>
                </>
              )}
            </div>
          </nav>
          {caller && !caller.user.emailVerified && (
            <p className="bg-amber-50 px-4 py-2 text-center text-sm text-amber-800" role="status">
              Confirm your email address to see tickets sent to it. <Link className="underline" href="/account">Resend the link</Link>
            </p>
          )}
        </header>
        <TrpcProvider>
          <main id="main" className="mx-auto max-w-5xl px-4 py-8">
            {children}
          </main>
        </TrpcProvider>
      </body>
    </html>
  );
}
