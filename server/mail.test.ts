import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@/server/config";
import { composeMail } from "./mail";

const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ NODE_ENV: "test", DATA_DIR: ".test-data", ...extra });

describe("mail", () => {
  it("has a plain-text part and an HTML part saying the same, with one link, everything from users escaped", () => {
    const mail = composeMail({
      to: "x@example.test",
      subject: "Your ticket for <b>Evil</b>\r\nBcc: everyone@example.test",
      greeting: "Hello <script>alert(1)</script>,",
      body: ["Line one", ["Ann (General)", "Bob & co"]],
      action: { label: "Get my ticket", url: "https://tickets.example.test/link?token=abc&x=1" },
      footer: ["Works once."],
    });
    expect(mail.subject).toBe("Your ticket for <b>Evil</b> Bcc: everyone@example.test");
    expect(mail.text).toBe("Hello <script>alert(1)</script>,\n\nLine one\n\n- Ann (General)\n- Bob & co\n\nGet my ticket:\nhttps://tickets.example.test/link?token=abc&x=1\n\nWorks once.");
    expect(mail.html).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;,");
    expect(mail.html).toContain("<li>Bob &amp; co</li>");
    expect(mail.html).toContain('href="https://tickets.example.test/link?token=abc&amp;x=1"');
    expect(mail.html).not.toContain("<script>");
    expect(mail.html!.match(/<a /g)).toHaveLength(1);
  });

  it("comes from MAIL_FROM, validated at start with a message naming it", () => {
    expect(loadConfig(env({})).mailFrom).toBe("Admit <no-reply@admit.local>");
    expect(loadConfig(env({ MAIL_FROM: "Harbour Tickets <tickets@harbour.example>" })).mailFrom).toBe("Harbour Tickets <tickets@harbour.example>");
    expect(loadConfig(env({ MAIL_FROM: "tickets@harbour.example" })).mailFrom).toBe("tickets@harbour.example");
    for (const bad of ["not an address", "Tickets <nope>", "a@b.example\r\nBcc: x@y.example"]) {
      expect(() => loadConfig(env({ MAIL_FROM: bad }))).toThrow(ConfigError);
      expect(() => loadConfig(env({ MAIL_FROM: bad }))).toThrow(/MAIL_FROM/);
    }
  });
});
