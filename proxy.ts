import { NextResponse, type NextRequest } from "next/server";

/**
 * A fresh CSP nonce for every page: Next.js puts it on its own inline bootstrap scripts, and
 * 'strict-dynamic' extends trust to the chunks those load, so no other script can run. Pages are
 * rendered per request anyway (they depend on the session), so nonces cost no static rendering.
 *
 * No authorization happens here: every page and handler checks access itself.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // React and Tailwind set inline style attributes; styles can't run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  // Pages only: API, ticket PDFs and QRs, calendar files and static assets get next.config.js's fixed policy.
  matcher: [
    {
      source: "/((?!api/|tickets/[^/]+|events/[^/]+/calendar\\.ics|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
