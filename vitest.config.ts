import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve("."),
      // Modules under server/ and db/ start with `import "server-only"`, which throws unless the
      // bundler resolves it for server code (Next.js does): in tests it is the package's empty
      // module, as tsconfig.json's `paths` makes it for tsx (docs/architecture.md).
      "server-only": path.resolve("node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "server/**/*.test.ts", "server/**/*.test.tsx", "db/**/*.test.ts", "scripts/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
    // Outbox and generated secrets of tests go to a throwaway folder, never to data/.
    env: { NODE_ENV: "test", DATA_DIR: ".test-data" },
    hookTimeout: 30_000,
    // next-auth's ESM imports "next/server" without an extension, which plain Node can't resolve;
    // let vite transform it (server/auth/nextauth.test.ts drives the real Auth.js handlers).
    server: { deps: { inline: ["next-auth"] } },
  },
});
