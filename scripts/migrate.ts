import { db } from "@/db/client";
import { config } from "@/server/config";

db(); // opening migrates
console.log(`Database migrated: ${config().databasePath}`);
