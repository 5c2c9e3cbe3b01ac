/**
 * Why someone was sent to sign in, from where they will go back to: "Sign in to see your order"
 * reads better than a bare form after following an emailed link. Null for a plain visit.
 */
export function signInReason(returnTo: string): string | null {
  const path = returnTo.split(/[?#]/)[0];
  const reasons: Array<[RegExp, string]> = [
    [/^\/orders\/[^/]+$/, "Sign in to see your order."],
    [/^\/tickets\/[^/]+(\/[^/]+)?$/, "Sign in to download your ticket."],
    [/^\/tickets$/, "Sign in to see your tickets."],
    [/^\/dashboard\/events\/new$/, "Sign in to create an event."],
    [/^\/dashboard\/events\/[^/]+\/checkin$/, "Sign in to check people in."],
    [/^\/dashboard(\/.*)?$/, "Sign in to see the events you run."],
    [/^\/devices$/, "Sign in to see where your account is signed in."],
    [/^\/account$/, "Sign in to manage your account."],
    [/^\/admin$/, "Sign in to open the staff console."],
    [/^\/events\/[^/]+$/, "Sign in to get tickets."],
  ];
  return reasons.find(([pattern]) => pattern.test(path))?.[1] ?? null;
}
