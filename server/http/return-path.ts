// TEMPORARY stub with today's rule, to watch the attack tests fail before the fix.
export function safeReturnPath(value: unknown, fallback = "/"): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : fallback;
}
export function sameOriginReturnUrl(url: string, origin: string): string {
  return url.startsWith("/") ? origin + url : url;
}
