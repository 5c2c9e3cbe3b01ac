import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// `npm run lint` (part of `npm test`): TypeScript's recommended rules with type information off
// (tsc already runs), React's rules of hooks, and no warnings allowed (--max-warnings 0).
export default tseslint.config(
  { ignores: ["**/.next/**", ".e2e-data/**", ".test-data/**", "bench/.data*/**", "node_modules/**", "data/**", "test-results/**", "playwright-report/**", "bench/results/**", "next-env.d.ts", "docs/screenshots/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  reactHooks.configs.flat["recommended-latest"] ?? reactHooks.configs["recommended-latest"],
  {
    rules: {
      // `_name` marks a value taken out on purpose (a destructured field dropped from a result).
      // Rejecting control characters in input and headers is the point of those patterns.
      "no-control-regex": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
);
