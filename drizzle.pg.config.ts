import { defineConfig } from "drizzle-kit";

// PostgreSQL's migrations, from the PostgreSQL schema (drizzle.config.ts is SQLite's).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/pg.ts",
  out: "./db/migrations/pg",
});
