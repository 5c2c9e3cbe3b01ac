// @ts-check

/**
 * The fixed security headers, in one place for next.config.js (every response Next.js sends) and
 * scripts/serve.ts (the answers it gives itself, before Next.js sees a request). Plain JavaScript
 * because next.config.js imports it untranspiled.
 */

/** Sent on every response. Pages add their own nonce policy (proxy.ts). */
export const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
};

/**
 * For everything that is never rendered as a document (JSON, PDFs, CSV, static assets, error
 * pages without scripts): a policy that allows nothing but inline styles.
 */
export const NON_DOCUMENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Two years, subdomains included; sent only when APP_URL is https (see server/http/front-door.ts). */
export const HSTS_POLICY = "max-age=63072000; includeSubDomains";
