import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { freshDb, makeUser } from "@/server/testing/support";
import { mailsTo } from "@/server/testing/outbox";
import { deviceLabel, noticeNewDevice } from "./new-device";
import { createApiSession, createBrowserSession } from "./sessions";

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CHROME_LINUX_NEWER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36";
const SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

describe("device names", () => {
  it.each([
    [CHROME_LINUX, "Chrome on Linux"],
    [SAFARI_IPHONE, "Safari on iOS"],
    [FIREFOX_WINDOWS, "Firefox on Windows"],
    ["", "Unknown browser"],
    ["curl/8.5.0", "curl/8.5.0"],
    ["Unknown browser", "Unknown browser"],
  ])("%s → %s", (agent, label) => {
    expect(deviceLabel("browser", agent)).toBe(label);
  });

  it("an API client keeps the name it gave itself", () => {
    expect(deviceLabel("api", "Door scanner 2")).toBe("Door scanner 2");
  });
});

describe("a sign-in from a new device", () => {
  it("mails the owner, with a link to the Devices page; the same browser and OS again (a newer version) does not", async () => {
    const user = await makeUser(db);
    const first = (await createBrowserSession(db, user.id, { device: CHROME_LINUX, ip: "192.0.2.90" })).session;
    expect(await noticeNewDevice(db, first)).toBe(false);
    const again = (await createBrowserSession(db, user.id, { device: CHROME_LINUX_NEWER, ip: "192.0.2.91" })).session;
    expect(await noticeNewDevice(db, again)).toBe(false);
    expect((await mailsTo(user.email))).toHaveLength(0);

    const phone = (await createBrowserSession(db, user.id, { device: SAFARI_IPHONE, ip: "198.51.100.20" })).session;
    expect(await noticeNewDevice(db, phone)).toBe(true);
    const mail = (await mailsTo(user.email)).at(-1)!;
    expect(mail.subject).toBe("New sign-in to Admit from Safari on iOS");
    expect(mail.text).toContain("198.51.100.20");
    expect(mail.text).toMatch(/https?:\/\/\S+\/devices/);

    const scanner = (await createApiSession(db, user.id, ["checkin:write"], { device: "Door scanner", ip: "198.51.100.21" })).session;
    expect(await noticeNewDevice(db, scanner)).toBe(true);
    expect((await mailsTo(user.email)).at(-1)!.subject).toBe("New sign-in to Admit from Door scanner");
  });

  it("is not announced for an address nobody has proven yet", async () => {
    const user = await makeUser(db, { verified: false });
    await createBrowserSession(db, user.id, { device: CHROME_LINUX, ip: "192.0.2.92" });
    const phone = (await createBrowserSession(db, user.id, { device: SAFARI_IPHONE, ip: "192.0.2.93" })).session;
    expect(await noticeNewDevice(db, phone)).toBe(false);
    expect((await mailsTo(user.email))).toHaveLength(0);
  });
});
