import { isValidElement, type ReactElement, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import RegisterPage from "@/app/register/page";
import { RegisterForm } from "@/app/register/register-form";
import SignInPage from "@/app/signin/page";
import { SignInForm } from "@/app/signin/sign-in-form";
import { browserSignIn, Jar, ORIGIN } from "@/server/testing/authjs";
import { safeReturnPath, sameOriginReturnUrl } from "@/lib/return-path";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";

/**
 * Finding: "Open redirect after sign-in: /signin?callbackUrl=%2F%5Cevil.test%2Fphish (and
 * /%09/evil.test) lands the browser on another site", and "?callbackUrl=/a&callbackUrl=/b is a
 * 500". Browsers read `/\evil.test` as `//evil.test` and drop tabs and newlines from URLs, so a
 * "starts with one slash" check lets both through to `window.location.assign`.
 */

/** Values a browser or URL parser resolves to another origin (or that no page should carry). */
const HOSTILE = [
  "/\\evil.test/phish",
  "/\t/evil.test",
  "/\n/evil.test",
  "/\r\n/evil.test",
  "/ /evil.test",
  "/\u0000/evil.test",
  "/\u00a0/evil.test",
  "/\u2028/evil.test",
  "//evil.test",
  "///evil.test",
  "/\\/evil.test",
  "\\\\evil.test",
  "\\/evil.test",
  "/.//evil.test",
  "/a/..//evil.test",
  "/%5Cevil.test",
  "/%09/evil.test",
  "/%2F%2Fevil.test/%2e%2e",
  "https://evil.test/phish",
  "http:evil.test",
  "HTTPS://evil.test",
  "javascript:alert(document.cookie)",
  "data:text/html,<script>alert(1)</script>",
  "evil.test/phish",
  " /orders/x",
  "",
  "/" + "a".repeat(3000),
];

const SAFE = ["/", "/orders/Ab3dEf9hJk", "/events/demo-conf?ticket=general#checkout", "/dashboard/events/Ab3d/audit", "/@user", "/search?q=a%20b"];

describe("Finding: open redirect after sign-in", () => {
  describe("the return-path rule", () => {
    it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))("refuses %s and falls back to /", (_, value) => {
      expect(safeReturnPath(value)).toBe("/");
    });

    it.each(SAFE)("keeps the same-origin path %s as it is", (value) => {
      expect(safeReturnPath(value)).toBe(value);
    });

    it("takes the first of repeated parameters, and ignores anything that isn't a string", () => {
      expect(safeReturnPath(["/a", "/b"])).toBe("/a");
      expect(safeReturnPath(["//evil.test", "/b"])).toBe("/");
      expect(safeReturnPath([])).toBe("/");
      expect(safeReturnPath(undefined)).toBe("/");
      expect(safeReturnPath({ toString: () => "/x" })).toBe("/");
      expect(safeReturnPath("https://evil.test", "/dashboard")).toBe("/dashboard");
    });

    it("what it lets through resolves to our own origin in a URL parser, as a browser would", () => {
      for (const value of [...HOSTILE, ...SAFE]) {
        // A browser drops tabs and newlines anywhere in a URL before parsing it.
        const resolved = new URL(safeReturnPath(value).replace(/[\t\n\r]/g, ""), "https://admit.test/signin");
        expect(resolved.origin, JSON.stringify(value)).toBe("https://admit.test");
      }
    });

    it("an absolute URL is kept only on our origin, as a path", () => {
      expect(sameOriginReturnUrl("https://admit.test/orders/x?y=1", "https://admit.test")).toBe("https://admit.test/orders/x?y=1");
      expect(sameOriginReturnUrl("/orders/x", "https://admit.test")).toBe("https://admit.test/orders/x");
      for (const hostile of ["https://evil.test/", "https://admit.test.evil.test/", "https://admit.test@evil.test/", "http://admit.test/", "https://admit.test//evil.test", ...HOSTILE]) {
        expect(new URL(sameOriginReturnUrl(hostile, "https://admit.test")).origin, hostile).toBe("https://admit.test");
      }
      expect(sameOriginReturnUrl("https://admit.test//evil.test", "https://admit.test")).toBe("https://admit.test/");
      expect(sameOriginReturnUrl("/\\evil.test/phish", "https://admit.test")).toBe("https://admit.test/");
    });
  });

  describe("the pages", () => {
    /** The props a page hands to a component, found in the element tree it renders. */
    function propsOf<P>(tree: ReactNode, component: (props: P) => ReactNode): P {
      const found: P[] = [];
      const walk = (node: ReactNode) => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (isValidElement(node)) {
          const element = node as ReactElement<{ children?: ReactNode }>;
          if (element.type === component) found.push(element.props as P);
          walk(element.props.children);
        }
      };
      walk(tree);
      expect(found).toHaveLength(1);
      return found[0];
    }

    const signInPage = async (callbackUrl: string | string[] | undefined) => propsOf(await SignInPage({ searchParams: Promise.resolve({ callbackUrl }) }), SignInForm);
    const registerPage = async (callbackUrl: string | string[] | undefined) => propsOf(await RegisterPage({ searchParams: Promise.resolve({ callbackUrl }) }), RegisterForm);

    it("the sign-in page sends the browser back only to a path on our origin", async () => {
      for (const hostile of HOSTILE) expect((await signInPage(hostile)).returnTo, JSON.stringify(hostile)).toBe("/");
      expect((await signInPage("/orders/Ab3dEf9hJk")).returnTo).toBe("/orders/Ab3dEf9hJk");
      expect((await signInPage(undefined)).returnTo).toBe("/");
    });

    it("repeated callbackUrl parameters take the first instead of failing the page", async () => {
      expect((await signInPage(["/a", "/b"])).returnTo).toBe("/a");
      expect((await signInPage(["/\\evil.test", "/b"])).returnTo).toBe("/");
      expect((await registerPage(["/a", "/b"])).returnTo).toBe("/a");
    });

    it("the register page passes on the same rule to its sign-in link", async () => {
      for (const hostile of HOSTILE) expect((await registerPage(hostile)).returnTo, JSON.stringify(hostile)).toBe("/");
      expect((await registerPage("/events/demo-conf")).returnTo).toBe("/events/demo-conf");
    });
  });

  describe("Auth.js's redirect after sign-in", () => {
    beforeEach(() => {
      vi.spyOn(console, "error").mockImplementation(() => {});
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it("keeps a same-origin path and replaces anything else with our home page", async () => {
      const db = (await freshDb());
      const user = await makeUser(db);
      const ok = await browserSignIn(new Jar(), user.email, TEST_PASSWORD, { callbackUrl: "/orders/Ab3dEf9hJk?x=1" });
      expect(ok.url).toBe(`${ORIGIN}/orders/Ab3dEf9hJk?x=1`);
      for (const hostile of ["/\\evil.test/phish", "/\t/evil.test", "//evil.test", "https://evil.test/phish", `${ORIGIN}.evil.test/`, "javascript:alert(1)"]) {
        const result = await browserSignIn(new Jar(), user.email, TEST_PASSWORD, { callbackUrl: hostile });
        expect(result.status, hostile).toBe(200);
        expect(result.url, hostile).toBe(`${ORIGIN}/`);
      }
    });
  });
});
