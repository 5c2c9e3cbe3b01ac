// @ts-check
import { PHASE_PRODUCTION_BUILD } from "next/constants.js";
import { NON_DOCUMENT_POLICY, SECURITY_HEADERS } from "./server/http/security-headers.js";

// Pages get a per-request nonce policy from proxy.ts. Everything else (JSON, PDFs, CSV, static
// assets) is never rendered as a document, so it gets a policy that allows nothing at all.
// HSTS depends on APP_URL at run time, so scripts/serve.ts adds it (these headers are fixed at build).

/**
 * @param {string} phase
 * @returns {import('next').NextConfig}
 */
export default function nextConfig(phase) {
  return {
    poweredByHeader: false,
    reactStrictMode: true,
    experimental: {
      // No source maps in the production build: the server runs under tsx, which turns on Node's
      // source maps, and Node then parses the map of every chunk it loads and keeps it, 45 MB of
      // live heap that every full garbage collection walks (docs/ticket-route-speed.md).
      turbopackSourceMaps: phase !== PHASE_PRODUCTION_BUILD,
      // forbidden()/unauthorized() from next/navigation: pages answer 403/401 with a real status.
      authInterrupts: true,
      // proxy.ts runs for pages, and Next.js buffers a request's body for it (10 MB by default).
      // Pages take no body; a chunked one is buffered no further than the size scripts/serve.ts
      // accepts from a Content-Length (server/http/front-door.ts).
      proxyClientMaxBodySize: "1mb",
    },
    // drizzle-orm: the server's database connection is opened by scripts/serve.ts, outside the
    // bundle; a second, bundled copy of drizzle building the routes' queries would fail its
    // `instanceof` checks against the first and take drizzle's slow path on every row.
    serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "@react-pdf/renderer", "drizzle-orm"],
    async headers() {
      return [
        { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: NON_DOCUMENT_POLICY }] },
        { source: "/tickets/:order/:rest*", headers: [{ key: "Content-Security-Policy", value: NON_DOCUMENT_POLICY }] },
        { source: "/events/:slug/calendar.ics", headers: [{ key: "Content-Security-Policy", value: NON_DOCUMENT_POLICY }] },
        { source: "/:path*", headers: Object.entries(SECURITY_HEADERS).map(([key, value]) => ({ key, value })) },
      ];
    },
  };
}
