import "server-only";
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

// OWASP's argon2id baseline: m=19 MiB, t=2, p=1.
const ARGON2_OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(8, "Password must be at least 8 characters")
  .max(128, "Password must be at most 128 characters");

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * Password verifications (argon2 runs) this process has started, the real cost a guesser buys:
 * the attack tests count them to prove limits hold before any hashing, and it is a cheap metric.
 */
export const passwordMetrics = { verifications: 0 };

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  passwordMetrics.verifications++;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// A real hash of a throwaway password, verified against when the email is unknown so that an
// unknown account costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;
export async function burnVerifyTime(password: string): Promise<void> {
  dummyHash ??= hashPassword("not-a-real-password-" + Math.random());
  await verifyPassword(await dummyHash, password);
}
