import { config } from "@/server/config";

/**
 * Cookie-authenticated mutations must come from our own pages: a JSON body (which a cross-site
 * HTML form cannot send) and a same-origin Origin / Sec-Fetch-Site. Bearer requests are exempt,
 * since a browser never attaches a Bearer token on its own.
 */
export function isSameOriginJsonRequest(headers: Headers, requireJson = true): boolean {
  if (requireJson && !/^application\/json\b/i.test(headers.get("content-type") ?? "")) return false;
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return false;
  const origin = headers.get("origin");
  if (origin === null) return site === "same-origin";
  return origin === appOrigin(headers);
}

/** The origin the app is reached at: APP_URL when configured, else the Host the request came to. */
export function appOrigin(headers: Headers): string | null {
  const configured = config().appUrl;
  if (configured) return new URL(configured).origin;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!host) return null;
  const proto = headers.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}
