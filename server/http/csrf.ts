import "server-only";
import { config, type Config } from "@/server/config";

type OriginSettings = Pick<Config, "appUrl" | "port" | "originFromRequest">;

/**
 * Cookie-authenticated mutations must come from our own pages: a JSON body (which a cross-site
 * HTML form cannot send) and a same-origin Origin / Sec-Fetch-Site. Bearer requests are exempt,
 * since a browser never attaches a Bearer token on its own.
 */
export function isSameOriginJsonRequest(headers: Headers, requireJson = true, settings: OriginSettings = config()): boolean {
  if (requireJson && !/^application\/json\b/i.test(headers.get("content-type") ?? "")) return false;
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return false;
  const origin = headers.get("origin");
  if (origin === null) return site === "same-origin";
  return origin === appOrigin(headers, settings);
}

/**
 * The origin the app is reached at. In production: APP_URL, or http://localhost:PORT when unset,
 * whatever Host a request names. In development and the demo without APP_URL: the scheme and
 * Host the request came to, so http://127.0.0.1:3000 works as well as http://localhost:3000
 * (see originFromRequest in server/config.ts).
 */
export function appOrigin(headers: Headers, settings: OriginSettings = config()): string | null {
  if (!settings.originFromRequest) return new URL(settings.appUrl ?? `http://localhost:${settings.port}`).origin;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!host) return null;
  const proto = headers.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}
