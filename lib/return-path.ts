/**
 * Where a browser may be sent back to after signing in (or registering): a path on our own
 * origin, nothing else. A "starts with one slash" check is not enough: browsers read `\` as `/`
 * (`/\evil.test` is `//evil.test`, another host), drop tabs and newlines anywhere in a URL
 * (`/<TAB>/evil.test`), and resolve dot segments (`/.//evil.test`). So a return path must:
 * - be a string (of repeated query parameters, the first);
 * - start with `/` not followed by `/` or `\`;
 * - contain no backslash, whitespace or control character, neither as is nor once
 *   percent-decoded (a value that hops through another `?callbackUrl=` is decoded again);
 * - resolve, in a URL parser, to our origin with a path that does not start with `//`.
 * Anything else gets the fallback.
 */

const MAX_RETURN_PATH_LENGTH = 2048;
const PARSE_BASE = "https://admit.invalid";
// \s covers Unicode spaces (U+00A0, U+2028, U+FEFF, …); the ranges cover C0, DEL and C1.
const UNSAFE_CHARACTER = /[\s\u0000-\u001f\u007f-\u009f\\]/;
// Once decoded, an ordinary space in a query is harmless; controls and backslashes are not.
const UNSAFE_DECODED_CHARACTER = /[\u0000-\u001f\u007f-\u009f\\]/;
const STARTS_AS_LOCAL_PATH = /^\/(?![/\\])/;

function decodedOnce(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

function isSafeReturnPath(value: string): boolean {
  if (value.length > MAX_RETURN_PATH_LENGTH) return false;
  if (!STARTS_AS_LOCAL_PATH.test(value) || UNSAFE_CHARACTER.test(value)) return false;
  const decoded = decodedOnce(value);
  if (decoded === null || !STARTS_AS_LOCAL_PATH.test(decoded) || UNSAFE_DECODED_CHARACTER.test(decoded)) return false;
  const resolved = new URL(value, PARSE_BASE);
  return resolved.origin === PARSE_BASE && !resolved.pathname.startsWith("//");
}

/** The return path from a query parameter (string, repeated → first, or absent), or `fallback`. */
export function safeReturnPath(value: unknown, fallback = "/"): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" && isSafeReturnPath(first) ? first : fallback;
}

/**
 * For Auth.js's redirect callback, which gets relative paths and absolute URLs: an absolute URL
 * counts only on `origin`, and either way the path must pass the same rule; else our home page.
 */
export function sameOriginReturnUrl(url: string, origin: string): string {
  let path = url;
  if (!url.startsWith("/")) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      // not a URL at all
    }
    path = parsed?.origin === origin ? parsed.pathname + parsed.search + parsed.hash : "";
  }
  return origin + safeReturnPath(path);
}


/** A link to `page` (sign-in, register) that carries the return path along, if there is one. */
export function linkWithReturnPath(page: "/signin" | "/register", returnTo: string): string {
  return returnTo === "/" ? page : `${page}?callbackUrl=${encodeURIComponent(returnTo)}`;
}
