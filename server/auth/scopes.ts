import "server-only";
import { z } from "zod";

export const SCOPES = ["tickets:read", "orders:read", "checkin:write", "events:manage"] as const;
export type Scope = (typeof SCOPES)[number];
export const scopeSchema = z.enum(SCOPES);

/** What an API token gets when it asks for nothing in particular. */
export const DEFAULT_API_SCOPES: Scope[] = ["tickets:read", "orders:read"];
/** Browser sessions act for the user in the UI, so they hold every scope. */
export const BROWSER_SCOPES: Scope[] = [...SCOPES];

export function parseScopes(stored: string): Scope[] {
  return stored.split(" ").filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}
