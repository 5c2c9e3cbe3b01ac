import Link from "next/link";
import { isStaff } from "@/server/access";
import type { Caller } from "@/server/auth/caller";
import { MenuToggle } from "./menu-toggle";
import { SignOutButton } from "./sign-out-button";

/** The header of every page: the product's links, then the account's; a menu on phones. */
export function SiteHeader({ caller }: { caller: Caller | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3" aria-label="Main">
        <Link href="/" className="nav-link text-lg font-bold tracking-tight text-indigo-700">
          Admit
        </Link>
        <MenuToggle>
          <Link href="/" className="nav-link">
            Events
          </Link>
          {caller && (
            <>
              <Link href="/tickets" className="nav-link">
                My tickets
              </Link>
              <Link href="/dashboard" className="nav-link">
                Dashboard
              </Link>
              {isStaff(caller) && (
                <Link href="/admin" className="nav-link">
                  Admin
                </Link>
              )}
            </>
          )}
          <div className="flex flex-col gap-1 border-t border-slate-200 pt-2 lg:ml-auto lg:flex-row lg:items-center lg:gap-4 lg:border-0 lg:pt-0">
            {caller ? (
              <>
                <Link href="/account" className="nav-link min-w-0 text-slate-700" data-testid="signed-in-as">
                  <span className="truncate">
                    {caller.user.name} <span className="text-slate-600">({caller.user.email})</span>
                  </span>
                </Link>
                <Link href="/devices" className="nav-link">
                  Devices
                </Link>
                <SignOutButton />
              </>
            ) : (
              <>
                <Link href="/signin" className="nav-link font-medium text-slate-700">
                  Sign in
                </Link>
                <Link href="/register" className="btn">
                  Create account
                </Link>
              </>
            )}
          </div>
        </MenuToggle>
      </nav>
      {caller && !caller.user.emailVerified && (
        <p className="bg-amber-50 px-4 py-2 text-center text-sm text-amber-800" role="status">
          Confirm your email address to see tickets sent to it. <Link className="underline" href="/account">Resend the link</Link>
        </p>
      )}
    </header>
  );
}
