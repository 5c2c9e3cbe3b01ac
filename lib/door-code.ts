/**
 * Short door codes: what a person types at the door when the QR code can't be read. Ten
 * Crockford base32 characters (digits and capitals without I, L, O, U) carry 50 random bits from
 * the CSPRNG, printed in two groups of five ("7KQ2M-X9D4P") under the QR code.
 *
 * Client-safe (lib/): the check-in screen normalizes what is typed with the same rules.
 */

export const DOOR_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const DOOR_CODE_LENGTH = 10;

/** 10 × 5 bits. Each byte is masked to 5 bits: 256 is a multiple of 32, so every character is equally likely. */
export function newDoorCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(DOOR_CODE_LENGTH));
  return Array.from(bytes, (byte) => DOOR_CODE_ALPHABET[byte & 31]).join("");
}

/** "7KQ2MX9D4P" → "7KQ2M-X9D4P", as printed. */
export function formatDoorCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Characters people type for the ones the alphabet leaves out (Crockford's decoding rules). */
const LOOK_ALIKES: Record<string, string> = { O: "0", I: "1", L: "1" };

/**
 * What was typed, as stored: case folded, spaces and dashes dropped, O read as 0 and I/L as 1.
 * Null when the result can't be a door code (wrong length, or a character no code contains).
 */
export function normalizeDoorCode(typed: string): string | null {
  const folded = typed
    .toUpperCase()
    .replace(/[\s\-‐-―]+/g, "")
    .replace(/[OIL]/g, (c) => LOOK_ALIKES[c]);
  if (folded.length !== DOOR_CODE_LENGTH) return null;
  for (const c of folded) if (!DOOR_CODE_ALPHABET.includes(c)) return null;
  return folded;
}
