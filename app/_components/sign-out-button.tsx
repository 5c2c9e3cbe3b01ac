"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";

export function SignOutButton() {
  const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
  return (
    <>
      <button
        type="button"
        className="nav-link font-medium"
        disabled={state === "busy"}
        onClick={async () => {
          setState("busy");
          try {
            await signOut({ redirectTo: "/" });
          } catch {
            // No answer (offline): still signed in, and saying so beats a button stuck on "Signing out…".
            setState("failed");
          }
        }}
      >
        {state === "busy" ? "Signing out…" : "Sign out"}
      </button>
      {state === "failed" && (
        <span className="text-sm text-red-700" role="alert">
          Could not sign out: no connection.
        </span>
      )}
    </>
  );
}
