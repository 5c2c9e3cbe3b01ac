import { expect, test } from "@playwright/test";
import { signIn } from "./support";
import { seedWorld, WORLD_PASSWORD, type World } from "./world";

/**
 * Errors people can act on: a 404 inside the app with the way home, sign-in that says why, a
 * failed form that takes focus to what needs fixing, and a dropped connection that is reported
 * and never turns into an order placed later behind the person's back.
 */

let world: World;

test.beforeAll(async () => {
  world = await seedWorld("errors");
});

test("an unknown address gets the app's 404 page, with the header and a way home", async ({ page }) => {
  const response = await page.goto("/this/does/not/exist");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.getByRole("link", { name: "Go to upcoming events" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Upcoming events" })).toBeVisible();
});

test("sign-in after a redirect says why; a plain visit gets no reason", async ({ page }) => {
  await page.goto(`/orders/${world.orderId}`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Forders%2F/);
  await expect(page.getByTestId("sign-in-reason")).toHaveText("Sign in to see your order.");
  await page.goto("/signin");
  await expect(page.getByTestId("sign-in-reason")).toHaveCount(0);
});

test("a failed submit marks the fields, describes them and moves focus to the first one", async ({ page }) => {
  await page.goto("/register");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Create account" }).click();
  const name = page.getByLabel("Name");
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(/.+/);
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  // Drawn in red, not only said in words.
  const [red, green, blue] = await name.evaluate((input) => {
    // The computed colour may be lab() or oklch(); a canvas pixel gives it as sRGB.
    const context = document.createElement("canvas").getContext("2d")!;
    context.fillStyle = getComputedStyle(input).borderTopColor;
    context.fillRect(0, 0, 1, 1);
    return [...context.getImageData(0, 0, 1, 1).data];
  });
  expect(red).toBeGreaterThan(180);
  expect(Math.max(green, blue)).toBeLessThan(80);

  // A form-wide error (wrong password) takes focus to its message.
  await page.goto("/signin");
  await page.getByLabel("Email").fill(world.people.stranger.email);
  await page.getByLabel("Password").fill("wrong-password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is wrong." })).toBeFocused();
});

test("offline, Place order says the connection is gone and places nothing, then or later", async ({ page, context }) => {
  await signIn(page, world.people.stranger, WORLD_PASSWORD);
  await page.goto(`/events/${world.event.slug}`);
  const place = page.getByRole("button", { name: "Place order" });
  // Every quantity starts at 0: choose one ticket first.
  await page.getByTestId("ticket-type").first().getByRole("combobox").selectOption("1");
  await expect(place).toBeEnabled();

  await context.setOffline(true);
  await place.click();
  const alert = page.getByRole("alert").filter({ hasText: "Could not reach Admit" });
  await expect(alert).toBeVisible();
  await expect(alert).toBeFocused();
  // The attempt is over (not paused waiting for the network): the button is back.
  await expect(place).toBeEnabled();
  await expect(place).toHaveText("Place order");

  // Back online nothing is sent by itself: the person decides, and one click places one order.
  await context.setOffline(false);
  await place.click();
  await expect(page).toHaveURL(/\/orders\/[\w-]{22}\?placed=1$/);
  await page.goto("/tickets");
  await expect(page.getByTestId("my-order")).toHaveCount(1);
});
