import "server-only";
import { z } from "zod";

/**
 * The search box of every list (rosters, orders, the admin console, the CSV export). Control
 * characters can't be typed into a search and a NUL even breaks SQLite's full-text query
 * (db/search.ts), so they are refused as bad input rather than passed on.
 */
export const searchText = z
  .string()
  .trim()
  .max(200, "Search must be at most 200 characters")
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), "Search must not contain control characters")
  .optional();
