import { db, migrateDb } from "@/db/client";
import { config } from "@/server/config";

await migrateDb(db());
console.log(`Database migrated: ${config().database.replace(/\/\/[^@/]*@/, "//…@")}`);
await db().$admit.close();
