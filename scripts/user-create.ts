import { parseArgs } from "node:util";
import { z } from "zod";
import { db, migrateDb } from "@/db/client";
import { createUser, emailSchema, nameSchema } from "@/server/auth/accounts";
import { passwordSchema } from "@/server/auth/passwords";
import { zodFields } from "@/server/errors";

const usage = "Usage: npm run user:create -- --email E --password P [--role user|staff|admin] [--name N]";

async function main() {
  const { values } = parseArgs({
    options: { email: { type: "string" }, password: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
    strict: true,
  });
  const parsed = z
    .object({ email: emailSchema, password: passwordSchema, role: z.enum(["user", "staff", "admin"]).default("user"), name: nameSchema.optional() })
    .safeParse(values);
  if (!parsed.success) {
    for (const [field, message] of Object.entries(zodFields(parsed.error))) console.error(`--${field}: ${message}`);
    console.error(usage);
    process.exit(2);
  }
  const { email, password, role, name } = parsed.data;
  // Created by an operator, so the address counts as verified.
  await migrateDb(db());
  const user = await createUser(db(), { email, password, role, name: name ?? email.split("@")[0], verified: true });
  console.log(`Created ${user.role} ${user.email} (${user.id})`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
