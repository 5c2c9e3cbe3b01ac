import { eq } from "drizzle-orm";
import { db } from "@/db/client";
import { users } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import { config } from "@/server/config";

export const DEMO_PASSWORD = "demo-password";

export const DEMO_USERS = [
  { email: "organizer@demo.test", name: "Olivia Organizer" },
  { email: "registrar@demo.test", name: "Reggie Registrar" },
  { email: "staff@demo.test", name: "Sam Staff", role: "staff" as const },
  { email: "alice@demo.test", name: "Alice Buyer" },
  { email: "bob@demo.test", name: "Bob Holder" },
  { email: "carol@demo.test", name: "Carol Unrelated" },
];

/** Idempotent: running it twice leaves one copy of everything. */
export async function seedDemo() {
  for (const demo of DEMO_USERS) {
    const existing = db().select({ id: users.id }).from(users).where(eq(users.email, demo.email)).get();
    if (!existing) await createUser(db(), { ...demo, password: DEMO_PASSWORD, verified: true });
  }
}

if (process.argv[1]?.endsWith("seed.ts")) {
  if (config().env === "production" && !process.argv.includes("--force")) {
    console.error("Refusing to seed demo data with NODE_ENV=production (pass --force to override).");
    process.exit(1);
  }
  seedDemo().then(() => console.log("Demo data ready."));
}
