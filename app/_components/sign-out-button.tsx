"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="text-sm font-medium text-slate-600 hover:text-slate-900"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        await signOut({ redirectTo: "/" });
      }}
    >
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
}
