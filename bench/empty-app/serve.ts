import path from "node:path";
import next from "next";
import { createAppServer } from "@/server/http/front-door";

/**
 * Serves the benchmark's empty Next.js app (bench/empty-app/) the way scripts/serve.ts serves
 * Admit: a production build of the app behind the same front door. Run by bench/run.ts with
 * PORT and BENCH_PDF_FILE.
 */
const port = Number(process.env.PORT);
const app = next({ dev: false, dir: path.join(process.cwd(), "bench", "empty-app"), port });
await app.prepare();
const server = createAppServer(app.getRequestHandler(), { trustProxy: false });
server.listen(port, () => console.log(`empty app listening on http://localhost:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
