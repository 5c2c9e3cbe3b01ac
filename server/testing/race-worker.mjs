// Worker threads can't load TypeScript by themselves: register tsx, then run the real worker.
import { register } from "tsx/esm/api";

register();
await import("./race-worker.ts");
