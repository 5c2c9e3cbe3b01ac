import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import Database from "better-sqlite3";
import { DATABASE_FILE, newestMailTo, registerViaApi, signIn } from "./support";

/**
 * Accounts and revocable sessions end to end, against the production build: the real Auth.js
 * cookie, the real tRPC link, the real server in scripts/serve.ts.
 */

const unique = (tag: string) => `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@e2e.test`;

/** After its session was revoked, the next navigation shows a signed-out visitor. */
async function expectSignedOut(page: Page) {
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  await page.goto("/devices");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdevices$/);
}

async function expectSignedIn(page: Page, name: string) {
  await page.goto("/");
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
}

async function newSignedInPage(browser: Browser, email: string, password: string, name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, { name, email }, password);
  return { context, page };
}

test("register → verify → sign in twice → revoke the other device → change password signs the other out", async ({ browser }) => {
  const email = unique("flow");
  const name = "Erin Endtoend";
  const password = "first-password-123";
  const newPassword = "second-password-456";

  const first = await browser.newContext();
  const page1 = await first.newPage();

  // Register.
  await page1.goto("/register");
  await page1.getByLabel("Name").fill(name);
  await page1.getByLabel("Email").fill(email.toUpperCase());
  await page1.getByLabel("Password (8 to 128 characters)").fill(password);
  await page1.getByRole("button", { name: "Create account" }).click();
  // Registering signs this browser in at once; the address isn't confirmed yet.
  await expect(page1.getByTestId("signed-in-as")).toContainText(name);
  await expect(page1.getByText("Confirm your email address to see tickets")).toBeVisible();

  // Verify from the outbox, in the browser that registered (so the password stays).
  const mail = await newestMailTo(email);
  expect(mail.html, "an HTML part").toContain("Confirm my email");
  const link = /https?:\/\/\S+\/link\?token=[\w-]+/.exec(mail.text)?.[0];
  expect(link, mail.text).toBeTruthy();
  await page1.goto(link!);
  await page1.getByRole("button", { name: "Confirm my email" }).click();
  await page1.waitForURL((url) => url.pathname === "/");
  await expect(page1.getByText("Confirm your email address to see tickets")).toHaveCount(0);
  // The link is single use: opened again, it says so and offers a new one.
  await page1.goto(link!);
  await expect(page1.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  await expect(page1.getByRole("button", { name: "Email me a new link" })).toBeVisible();

  // Sign in; the header shows who, and the unverified-email banner is gone.
  await signIn(page1, { name, email }, password);
  await expect(page1.getByText("Confirm your email address to see tickets")).toHaveCount(0);

  // The cookie is the opaque session secret (not a JWT), HttpOnly and SameSite=Lax.
  const cookies = await first.cookies();
  const session = cookies.find((c) => c.name === "admit.session");
  expect(session, JSON.stringify(cookies.map((c) => c.name))).toBeDefined();
  expect(session!.httpOnly).toBe(true);
  expect(session!.sameSite).toBe("Lax");
  expect(session!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(await page1.evaluate(() => document.cookie)).not.toContain("admit.session");

  // A second browser.
  const second = await browser.newContext();
  const page2 = await second.newPage();
  await signIn(page2, { name, email }, password);

  // The first revokes the second from its Devices page.
  await page1.goto("/devices");
  const rows = page1.getByTestId("device-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "This device" })).toHaveCount(1);
  await page1.getByRole("button", { name: /^Revoke / }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("This device");

  // The second is signed out on its very next navigation.
  await expectSignedOut(page2);
  await expectSignedIn(page1, name);

  // The second signs in again; the first changes the password.
  await signIn(page2, { name, email }, password);
  await page1.goto("/devices");
  await expect(rows).toHaveCount(2);
  await page1.goto("/account");
  await page1.getByLabel("Current password").fill(password);
  await page1.getByLabel("New password (8 to 128 characters)").fill(newPassword);
  await page1.getByRole("button", { name: "Change password" }).click();
  await expect(page1.getByRole("main").getByRole("status").filter({ hasText: "Password changed" })).toContainText("1 other device(s) were signed out");

  // The second is signed out; the first stays signed in, alone on its Devices page.
  await expectSignedOut(page2);
  await expectSignedIn(page1, name);
  await page1.goto("/devices");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("This device");

  // The old password no longer works; the new one does.
  await page2.goto("/signin");
  await page2.getByLabel("Email").fill(email);
  await page2.getByLabel("Password", { exact: true }).fill(password);
  await page2.getByRole("button", { name: "Sign in" }).click();
  await expect(page2.getByRole("main").getByRole("alert")).toHaveText("Email or password is wrong.");
  await signIn(page2, { name, email }, newPassword);

  // Signing out ends the session server-side, not just in this browser.
  const cookieBefore = (await second.cookies()).find((c) => c.name === "admit.session")!.value;
  await page2.getByRole("button", { name: "Sign out" }).click();
  await expect(page2.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  const replay = await browser.newContext();
  await replay.addCookies([{ name: "admit.session", value: cookieBefore, url: page2.url() }]);
  const replayPage = await replay.newPage();
  await expectSignedOut(replayPage);

  await Promise.all([first.close(), second.close(), replay.close()]);
});

test("sign-in never sends the browser to another site, whatever callbackUrl says", async ({ page, request, baseURL }) => {
  const email = unique("redirect");
  const password = "redirect-password-123";
  await registerViaApi(request, baseURL!, { name: "Rae Redirect", email }, password);
  // Were the browser sent off-site, it would land here instead of failing to resolve the name.
  const offSite: string[] = [];
  await page.route((url) => url.hostname.endsWith("evil.test"), (route) => {
    offSite.push(route.request().url());
    return route.fulfill({ contentType: "text/html", body: "<!doctype html><p>phished</p>" });
  });

  // `/\evil.test/phish` and `/<TAB>/evil.test`: browsers read both as `//evil.test`.
  for (const query of ["callbackUrl=%2F%5Cevil.test%2Fphish", "callbackUrl=/%09/evil.test", "callbackUrl=//evil.test", "callbackUrl=https://evil.test/"]) {
    await page.goto(`/signin?${query}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/signin");
    expect(new URL(page.url()).origin, query).toBe(new URL(baseURL!).origin);
    await expect(page.getByTestId("signed-in-as")).toContainText("Rae Redirect");
  }
  expect(offSite).toEqual([]);

  // Repeated parameters take the first, instead of a 500; a path on our origin is honoured.
  const repeated = await page.goto("/signin?callbackUrl=/devices&callbackUrl=/b");
  expect(repeated?.status()).toBe(200);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/devices$/);
});

test("pages and API responses carry the security headers", async ({ page, request }) => {
  const pages = [await page.goto("/signin"), await request.get("/")];
  const api = [await request.get("/api/v1/me")];
  for (const response of [...pages, ...api]) {
    expect(response).not.toBeNull();
    const headers = response!.headers();
    const policy = headers["content-security-policy"];
    expect(policy).toMatch(/frame-ancestors 'none'/);
    if (pages.includes(response)) {
      // Scripts only by this response's nonce: no inline script an attacker injects can run.
      expect(policy).toMatch(/default-src 'self'/);
      expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
      expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    } else {
      expect(policy).toMatch(/default-src 'none'/);
    }
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBeTruthy();
    expect(headers["referrer-policy"]).not.toMatch(/unsafe-url|no-referrer-when-downgrade/);
    expect(headers["x-powered-by"]).toBeUndefined();
  }
  // A fresh nonce on every page view.
  const nonceOf = (policy: string) => /'nonce-([^']+)'/.exec(policy)?.[1];
  const [a, b] = [await request.get("/"), await request.get("/")];
  expect(nonceOf(a.headers()["content-security-policy"])).not.toBe(nonceOf(b.headers()["content-security-policy"]));
});

test("a cross-site or sibling-origin form post to a tRPC mutation changes nothing", async ({ browser, request, baseURL }) => {
  const email = unique("csrf");
  const name = "Casey Csrf";
  const password = "csrf-password-123";
  await registerViaApi(request, baseURL!, { name, email }, password);
  const victim = await newSignedInPage(browser, email, password, name);
  const other = await newSignedInPage(browser, email, password, name);

  const target = `${baseURL}/api/trpc/devices.revokeOthers`;
  const app = new URL(baseURL!);
  // Same site, other origin (another port on localhost): the SameSite=Lax cookie IS sent, so only
  // the server's Origin / content-type check stands between this page and the mutation.
  const sibling = `http://localhost:${Number(app.port) + 1}`;
  // Another site altogether (127.0.0.1 is not localhost): the cookie isn't even sent.
  const crossSite = `http://127.0.0.1:${app.port}`;

  const forms = [
    { enctype: "application/x-www-form-urlencoded", fields: `<input name="a" value="b">` },
    { enctype: "multipart/form-data", fields: `<input name="a" value="b">` },
    // The classic JSON-via-text/plain trick: the body reads {"x":"=y"}.
    { enctype: "text/plain", fields: `<input name='{"x":"' value='y"}'>` },
  ];

  for (const origin of [sibling, crossSite]) {
    for (const form of forms) {
      await victim.page.route(`${origin}/attack`, (route) =>
        route.fulfill({
          contentType: "text/html",
          body: `<!doctype html><html><body><form id="f" method="POST" action="${target}" enctype="${form.enctype}">${form.fields}<button>Win a prize</button></form></body></html>`,
        }),
      );
      await victim.page.goto(`${origin}/attack`);
      const [response] = await Promise.all([victim.page.waitForResponse(target), victim.page.getByRole("button", { name: "Win a prize" }).click()]);
      const sent = await response.request().allHeaders();
      if (origin === sibling) {
        // Proof the attack is real: the browser did attach the session cookie.
        expect(sent.cookie ?? "", `${form.enctype} from ${origin}`).toContain("admit.session=");
      }
      expect([403, 415], `${form.enctype} from ${origin} → ${response.status()}`).toContain(response.status());
      await victim.page.unroute(`${origin}/attack`);
    }
  }

  // A script on the sibling origin can't send JSON with the cookie either: the preflight fails.
  await victim.page.route(`${sibling}/attack`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><p>hi</p>" }));
  await victim.page.goto(`${sibling}/attack`);
  const scripted = await victim.page.evaluate(async (url) => {
    const outcomes: string[] = [];
    try {
      const r = await fetch(url, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: "{}" });
      outcomes.push(`json:${r.status}`);
    } catch {
      outcomes.push("json:blocked");
    }
    try {
      const r = await fetch(url, { method: "POST", credentials: "include", mode: "no-cors", body: "{}" });
      outcomes.push(`no-cors:${r.type}`);
    } catch {
      outcomes.push("no-cors:blocked");
    }
    return outcomes;
  }, target);
  expect(scripted[0]).toBe("json:blocked");

  // Nothing happened: both browsers (and the API context that registered) are still signed in.
  await victim.page.goto("/devices");
  await expect(victim.page.getByTestId("device-row")).toHaveCount(3);
  await expectSignedIn(other.page, name);

  // Control: the app's own button does what the forged posts could not.
  await victim.page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(victim.page.getByRole("main").getByRole("status").filter({ hasText: "Signed out" })).toContainText("Signed out 2 other device(s).");
  await expectSignedOut(other.page);

  await Promise.all([victim.context.close(), other.context.close()]);
});

test("ten failed sign-ins lock the account on that address with a clear message, even for the right password", async ({ page, request, baseURL }) => {
  const email = unique("locked");
  const password = "the-right-password";
  await registerViaApi(request, baseURL!, { name: "Lou Locked", email }, password);

  await page.goto("/signin");
  const attempt = async (pw: string) => {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(pw);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials") && r.request().method() === "POST"),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  };
  for (let i = 1; i <= 10; i++) {
    await attempt(`wrong-password-${i}`);
    await expect(page.getByRole("main").getByRole("alert"), `attempt ${i}`).toHaveText("Email or password is wrong.");
  }
  await attempt(password);
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Too many failed attempts");
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/");
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);

  // The API answers 429 with Retry-After too. (The browser may reach the server over ::1 and
  // this client over 127.0.0.1, another address, so the API locks its own pair here.)
  const apiEmail = unique("locked-api");
  await registerViaApi(request, baseURL!, { name: "Lou Api", email: apiEmail }, password);
  for (let i = 1; i <= 10; i++) expect((await request.post("/api/v1/auth/token", { data: { email: apiEmail, password: `wrong-${i}` } })).status()).toBe(401);
  const api = await request.post("/api/v1/auth/token", { data: { email: apiEmail, password } });
  expect(api.status()).toBe(429);
  expect(Number(api.headers()["retry-after"])).toBeGreaterThan(0);
});

test("API tokens against the running server: issue, use, logout, and a spoofed X-Forwarded-For is ignored", async ({ request, baseURL }) => {
  const email = unique("api");
  const password = "api-password-123";
  await registerViaApi(request, baseURL!, { name: "Ada Api", email }, password);

  const issued = await request.post("/api/v1/auth/token", {
    headers: { "x-forwarded-for": "203.0.113.9" },
    data: { email, password, device: "e2e scanner", scopes: ["orders:read"] },
  });
  expect(issued.status()).toBe(200);
  expect(issued.headers()["cache-control"]).toContain("no-store");
  const tokens = (await issued.json()) as { token: string; refreshToken: string; expiresIn: number; scopes: string[] };
  expect(tokens.expiresIn).toBe(600);
  expect(tokens.scopes).toEqual(["orders:read"]);
  const auth = { authorization: `Bearer ${tokens.token}` };

  const me = await request.get("/api/v1/me", { headers: auth });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ email, name: "Ada Api", role: "user" });

  // Devices are managed in the browser only: no token lists them, whatever its scopes.
  expect((await request.get("/api/trpc/devices.list", { headers: auth })).status()).toBe(403);
  // The session recorded the socket's address, not the header the client made up.
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  let device: { kind: string; ip: string } | undefined;
  try {
    device = db.prepare("SELECT kind, ip FROM sessions WHERE device = 'e2e scanner'").get() as typeof device;
  } finally {
    db.close();
  }
  expect(device?.kind).toBe("api");
  expect(device?.ip).not.toBe("203.0.113.9");
  expect(device?.ip).toMatch(/^(127\.0\.0\.1|::1)$/);

  // Bad input through the real server: the error shape, never a 500.
  const malformed = await request.post("/api/v1/auth/token", { headers: { "content-type": "application/json" }, data: "{not json" });
  expect(malformed.status()).toBe(400);
  expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
  const huge = await request.post("/api/v1/auth/token", { data: { email, password: "x".repeat(20 * 1024) } });
  expect(huge.status()).toBe(413);
  const form = await request.post("/api/v1/auth/token", { form: { email, password } });
  expect(form.status()).toBe(415);
  const junk = await request.get("/api/v1/me", { headers: { authorization: "Bearer junk" } });
  expect(junk.status()).toBe(401);
  expect(((await junk.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");

  // Logout kills the access token at once, and the refresh token with it.
  const logout = await request.post("/api/v1/auth/logout", { headers: auth });
  expect(logout.status()).toBe(204);
  expect((await request.get("/api/v1/me", { headers: auth })).status()).toBe(401);
  expect((await request.post("/api/v1/auth/refresh", { data: { refreshToken: tokens.refreshToken } })).status()).toBe(401);
});
