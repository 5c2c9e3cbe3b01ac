// @ts-check

// Pages get a per-request nonce policy from proxy.ts. Everything else (JSON, PDFs, CSV, static
// assets) is never rendered as a document, so it gets a policy that allows nothing at all.
const nonDocumentPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // `npm run typecheck` checks the whole tree (tests included) as its own step of `npm test`.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  // forbidden()/unauthorized() from next/navigation: pages answer 403/401 with a real status.
  experimental: { authInterrupts: true },
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "@react-pdf/renderer"],
  async headers() {
    return [
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: nonDocumentPolicy }] },
      { source: "/tickets/:order/:rest*", headers: [{ key: "Content-Security-Policy", value: nonDocumentPolicy }] },
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(self), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
