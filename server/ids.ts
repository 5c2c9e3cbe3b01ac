import "server-only";
import { createHash, randomBytes } from "node:crypto";

/** A URL-safe random identifier with `bytes * 8` bits from the CSPRNG (default 128). */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}

/** A 256-bit secret for session cookies and refresh tokens. Only its hash is ever stored. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Identifiers we issue are 22 base64url chars; anything else can't be ours, so it's "not found". */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
export function looksLikeIdentifier(value: unknown): value is string {
  return typeof value === "string" && IDENTIFIER_PATTERN.test(value);
}
