import { everyone, signedIn, type PrivilegeRows } from "@/server/testing/matrix";
import { WORLD_PASSWORD } from "@/server/testing/world";

const credentialsOf: NonNullable<PrivilegeRows["routes"]>[number]["body"] = (world, role) =>
  role === "anonymous"
    ? { email: "nobody@world.test", password: "not-the-password" }
    : { email: world.users[role].email, password: WORLD_PASSWORD, device: "matrix" };

export const privileges: PrivilegeRows = {
  procedures: {
    "auth.me": { expect: everyone(200) },
    "auth.register": {
      input: () => ({ name: "New Person", email: `new-${Math.random().toString(36).slice(2)}@world.test`, password: "long-enough-pw" }),
      expect: everyone(200),
      note: "anyone may create an account; being signed in doesn't stop it; a taken email gets the same 200 (server/attacks/mail-abuse.test.ts)",
    },
    "auth.requestSignInLink": {
      input: () => ({ email: `link-${Math.random().toString(36).slice(2)}@world.test` }),
      expect: everyone(200),
      note: "anyone may ask for a sign-in link; the answer is the same whether or not the address has an account",
    },
    "auth.followLink": {
      input: () => ({ token: "not-a-real-token" }),
      expect: everyone(400),
      note: "an unknown token is a 400 naming the token field, for everyone (followed links: server/auth/email-links.test.ts)",
    },
    "auth.renewLink": {
      input: () => ({ token: "not-a-real-token" }),
      expect: everyone(200),
      note: "an unknown link answers like a known one, and sends nothing",
    },
    "auth.resendVerification": { expect: signedIn(200) },
    "auth.changePassword": { input: () => ({ currentPassword: WORLD_PASSWORD, newPassword: "a-new-password" }), expect: signedIn(200) },
    "devices.list": { expect: signedIn(200) },
    "devices.revoke": {
      // The buyer's own device id would be 200 only for the buyer; an unknown id is 404 for all.
      input: () => ({ id: "AAAAAAAAAAAAAAAAAAAAAA" }),
      expect: signedIn(404),
    },
    "devices.revokeOthers": { expect: signedIn(200) },
  },
  badInput: {
    "auth.followLink": [
      { as: "user", input: () => ({ token: "" }), expect: 400, field: "token" },
      { as: "user", input: () => ({ token: "x".repeat(5000) }), expect: 400, field: "token" },
      { as: "user", input: () => ({ token: 42 }), expect: 400, field: "token" },
    ],
    "auth.renewLink": [
      { as: "user", input: () => ({ token: "" }), expect: 400, field: "token" },
      { as: "user", input: () => ({ token: "x".repeat(5000) }), expect: 400, field: "token" },
    ],
    "auth.requestSignInLink": [
      { as: "user", input: () => ({ email: "not-an-email" }), expect: 400, field: "email" },
      { as: "user", input: () => ({ email: "x@world.test", returnTo: "x".repeat(3000) }), expect: 400, field: "returnTo" },
    ],
    "auth.register": [
      { as: "user", input: () => ({ name: "", email: "x@world.test", password: "long-enough-pw" }), expect: 400, field: "name" },
      { as: "user", input: () => ({ name: "N", email: "not-an-email", password: "long-enough-pw" }), expect: 400, field: "email" },
      { as: "user", input: () => ({ name: "N", email: "x@world.test", password: "short" }), expect: 400, field: "password" },
      { as: "user", input: () => ({ name: "N", email: "x@world.test", password: "x".repeat(129) }), expect: 400, field: "password" },
    ],
    "auth.changePassword": [
      { as: "buyer", input: () => ({ currentPassword: "wrong-password", newPassword: "a-new-password" }), expect: 400, field: "currentPassword" },
      { as: "buyer", input: () => ({ currentPassword: WORLD_PASSWORD, newPassword: "short" }), expect: 400, field: "newPassword" },
      { as: "buyer", input: () => ({ newPassword: "a-new-password" }), expect: 400, field: "currentPassword" },
    ],
    "devices.revoke": [{ as: "buyer", input: () => ({ id: "" }), expect: 400, field: "id" }],
  },
  badRequests: [
    { file: "app/api/v1/auth/token/route.ts", method: "POST", auth: "bearer", as: "user", path: () => "/api/v1/auth/token", body: "{not json", headers: { "content-type": "application/json" }, expect: 400 },
    { file: "app/api/v1/auth/token/route.ts", method: "POST", auth: "bearer", as: "user", path: () => "/api/v1/auth/token", body: { email: "a@b.test" }, expect: 400, field: "password" },
    { file: "app/api/v1/auth/token/route.ts", method: "POST", auth: "bearer", as: "user", path: () => "/api/v1/auth/token", body: { email: "a@b.test", password: "x", scopes: ["root"] }, expect: 400, field: "scopes" },
    { file: "app/api/v1/auth/refresh/route.ts", method: "POST", auth: "bearer", as: "user", path: () => "/api/v1/auth/refresh", body: {}, expect: 400, field: "refreshToken" },
    { file: "app/api/v1/auth/refresh/route.ts", method: "POST", auth: "bearer", as: "user", path: () => "/api/v1/auth/refresh", body: "refreshToken=x", headers: { "content-type": "application/x-www-form-urlencoded" }, expect: 415 },
  ],
  routes: [
    { file: "app/api/v1/auth/token/route.ts", method: "POST", auth: "bearer", path: () => "/api/v1/auth/token", body: credentialsOf, expect: everyone(200, { anonymous: 401 }), note: "each role posts its own credentials; anonymous posts wrong ones" },
    { file: "app/api/v1/auth/refresh/route.ts", method: "POST", auth: "bearer", path: () => "/api/v1/auth/refresh", body: () => ({ refreshToken: "unknown-refresh-token" }), expect: everyone(401), note: "an unknown refresh token is 401 whoever sends it" },
    { file: "app/api/v1/auth/logout/route.ts", method: "POST", auth: "bearer", path: () => "/api/v1/auth/logout", expect: signedIn(204) },
    { file: "app/api/v1/me/route.ts", method: "GET", auth: "bearer", path: () => "/api/v1/me", expect: signedIn(200) },
    { file: "app/api/v1/me/route.ts", method: "GET", auth: "cookie", path: () => "/api/v1/me", expect: everyone(401), note: "the REST API takes Bearer tokens only" },
  ],
};
