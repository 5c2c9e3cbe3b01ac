import "server-only";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { z } from "zod";

/**
 * Configuration is read and validated once; a bad value stops the process with a message that
 * names the variable instead of failing later in some request.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)/i, "must look like file:path/to/admit.db or postgres://user:password@host:5432/admit")
    .default("file:data/admit.db"),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z.string().url("must be a URL such as smtp://user:pass@host:587").optional(),
  /** The From of every mail: an address, optionally with a display name. */
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, "must be an address such as Admit <tickets@example.com>")
    .default("Admit <no-reply@admit.local>"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Where the app is reached; used in emailed links and the CSRF origin check. */
  APP_URL: z.string().url("must be a URL such as https://tickets.example.com").optional(),
  DATA_DIR: z.string().default("data"),
  /** Trust X-Forwarded-For only behind a proxy we know about (rate limiting keys on the IP). */
  TRUST_PROXY: z.enum(["0", "1", "true", "false"]).default("0"),
  /** Worker processes `npm start` runs, sharing the port (default: one per core). */
  WEB_CONCURRENCY: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(64, "must be at most 64").optional(),
  /** How long a stopping server lets in-flight requests finish before closing their connections. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(0).max(600_000).default(30_000),
  /** Days after an event ends that its ticket-download and check-in rows are kept; then only their counts (server/maintenance.ts). */
  RETENTION_DAYS: z.coerce.number().int().min(1, "must be at least 1 (day)").max(36_500).default(90),
  /** Days a rendered ticket PDF stays in the cache before it is deleted (rendered again if asked for); server/tickets/cache.ts. */
  TICKET_CACHE_DAYS: z.coerce.number({ error: "must be a whole number of days" }).int("must be a whole number of days").min(1, "must be at least 1 (day)").max(3650, "must be at most 3650 (days)").default(30),
  /** Set by `npm run demo` (scripts/demo.ts): a production build serving a local demo. */
  DEMO: z.enum(["0", "1", "true", "false"]).default("0"),
});

export type Config = {
  env: "development" | "production" | "test";
  /** The SQLite file (an absolute path) or the PostgreSQL URL. */
  database: string;
  dataDir: string;
  authSecret: string;
  smtpUrl?: string;
  mailFrom: string;
  port: number;
  webConcurrency: number;
  shutdownTimeoutMs: number;
  appUrl?: string;
  /**
   * Whether "our origin" is whichever one a request came to (scheme and Host), instead of APP_URL
   * (or http://localhost:PORT when unset). Only without APP_URL, and only in development or the
   * demo, so the demo works at localhost and 127.0.0.1 alike; production is always strict.
   */
  originFromRequest: boolean;
  trustProxy: boolean;
  secureCookies: boolean;
  retentionDays: number;
  ticketCacheDays: number;
};

let cached: Config | undefined;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  ensurePrivateDir(dataDir);
  const database = e.DATABASE_URL.startsWith("file:") ? path.resolve(e.DATABASE_URL.slice("file:".length)) : e.DATABASE_URL;
  let authSecret = e.AUTH_SECRET;
  if (!authSecret) {
    if (e.NODE_ENV === "production") {
      throw new ConfigError(
        "Invalid configuration:\n  AUTH_SECRET: required in production (generate one with `openssl rand -base64 48`)",
      );
    }
    authSecret = readOrCreateSecret(path.join(dataDir, "auth-secret"));
  }
  const demo = e.DEMO === "1" || e.DEMO === "true";
  return {
    env: e.NODE_ENV,
    database,
    dataDir,
    authSecret,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM.trim(),
    port: e.PORT,
    webConcurrency: e.WEB_CONCURRENCY ?? availableParallelism(),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    appUrl: e.APP_URL?.replace(/\/$/, ""),
    originFromRequest: !e.APP_URL && (e.NODE_ENV !== "production" || demo),
    trustProxy: e.TRUST_PROXY === "1" || e.TRUST_PROXY === "true",
    retentionDays: e.RETENTION_DAYS,
    ticketCacheDays: e.TICKET_CACHE_DAYS,
    // Secure cookies in production, unless the operator explicitly serves plain http (e2e) or it is
    // the local demo (plain http, and at 127.0.0.1 a browser drops Secure cookies).
    secureCookies: e.NODE_ENV === "production" && !demo && !(e.APP_URL ?? "").startsWith("http://"),
  };
}

/**
 * Files holding the database, mail, the generated secret and ticket PDFs are readable by the
 * server's user only: 0600 files in 0700 folders. Also tightens a folder made by an older version.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

export function readOrCreateSecret(file: string): string {
  if (existsSync(file)) {
    chmodSync(file, PRIVATE_FILE_MODE);
    return readFileSync(file, "utf8").trim();
  }
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: PRIVATE_FILE_MODE, flag: "wx" });
  return secret;
}

export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
