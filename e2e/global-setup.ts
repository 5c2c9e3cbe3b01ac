import { rmSync } from "node:fs";

/** Every run starts from an empty database and outbox; the server creates them on start. */
export default function globalSetup() {
  rmSync(".e2e-data", { recursive: true, force: true });
}
