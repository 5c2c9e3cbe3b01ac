// @ts-check
import { NON_DOCUMENT_POLICY, SECURITY_HEADERS } from "./server/http/security-headers.js";

// Pages get a per-request nonce policy from proxy.ts. Everything else (JSON, PDFs, CSV, static
// assets) is never rendered as a document, so it gets a policy that allows nothing at all.
// HSTS depends on APP_URL at run time, so scripts/serve.ts adds it (these headers are fixed at build).

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // forbidden()/unauthorized() from next/navigation: pages answer 403/401 with a real status.
    authInterrupts: true,
    // proxy.ts runs for pages, and Next.js buffers a request's body for it (10 MB by default).
    // Pages take no body; a chunked one is buffered no further than the size scripts/serve.ts
    // accepts from a Content-Length (server/http/front-door.ts).
    proxyClientMaxBodySize: "1mb",
  },
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "@react-pdf/renderer"],
  async headers() {
    return [
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: NON_DOCUMENT_POLICY }] },
      { source: "/tickets/:order/:rest*", headers: [{ key: "Content-Security-Policy", value: NON_DOCUMENT_POLICY }] },
      { source: "/events/:slug/calendar.ics", headers: [{ key: "Content-Security-Policy", value: NON_DOCUMENT_POLICY }] },
      { source: "/:path*", headers: Object.entries(SECURITY_HEADERS).map(([key, value]) => ({ key, value })) },
    ];
  },
};

export default nextConfig;
