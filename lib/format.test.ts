import { afterEach, describe, expect, it } from "vitest";
import { formatEventRange, formatMomentInZone, formatMoney, parsePriceToCents } from "@/lib/format";

// 09:00–17:00 in Berlin (CET, UTC+1)
const berlinDay = { startsAt: Date.UTC(2026, 2, 14, 8), endsAt: Date.UTC(2026, 2, 14, 16), timeZone: "Europe/Berlin" };

describe("formatEventRange", () => {
  const serverZone = process.env.TZ;
  afterEach(() => {
    if (serverZone === undefined) delete process.env.TZ;
    else process.env.TZ = serverZone;
  });

  it("prints the event's own clock and names its zone", () => {
    expect(formatEventRange(berlinDay)).toBe("Sat, 14 Mar 2026, 09:00 – 17:00 CET (Europe/Berlin)");
    expect(formatEventRange({ ...berlinDay, timeZone: "Europe/London" })).toBe("Sat, 14 Mar 2026, 08:00 – 16:00 GMT (Europe/London)");
  });

  it("names US zones (EDT) where en-GB only knows an offset, and keeps the offset where nobody has a name", () => {
    expect(formatEventRange({ ...berlinDay, timeZone: "America/New_York" })).toBe("Sat, 14 Mar 2026, 04:00 – 12:00 EDT (America/New_York)");
    expect(formatEventRange({ ...berlinDay, timeZone: "Asia/Kolkata" })).toBe("Sat, 14 Mar 2026, 13:30 – 21:30 GMT+5:30 (Asia/Kolkata)");
  });

  it("is the same whatever zone the server or browser runs in", () => {
    // Node re-reads TZ when it is assigned. Other weeks than above, so no label comes from the cache.
    const week = 7 * 86_400_000;
    const weeksLater = (n: number) => ({ ...berlinDay, startsAt: berlinDay.startsAt + n * week, endsAt: berlinDay.endsAt + n * week });
    process.env.TZ = "Pacific/Auckland";
    expect(formatEventRange(weeksLater(1))).toBe("Sat, 21 Mar 2026, 09:00 – 17:00 CET (Europe/Berlin)");
    process.env.TZ = "America/Los_Angeles";
    expect(formatEventRange(weeksLater(2))).toBe("Sat, 28 Mar 2026, 09:00 – 17:00 CET (Europe/Berlin)");
  });

  it("repeats the date for a multi-day event", () => {
    expect(formatEventRange({ startsAt: Date.UTC(2026, 5, 1, 7), endsAt: Date.UTC(2026, 5, 3, 15, 30), timeZone: "Europe/Berlin" })).toBe(
      "Mon, 1 Jun 2026, 09:00 – Wed, 3 Jun 2026, 17:30 CEST (Europe/Berlin)",
    );
  });

  it("names both offsets when the clocks change during the event", () => {
    // Spring forward overnight, and on the same date: 02:00 CET becomes 03:00 CEST on 29 March.
    expect(formatEventRange({ startsAt: Date.UTC(2026, 2, 28, 20), endsAt: Date.UTC(2026, 2, 29, 10), timeZone: "Europe/Berlin" })).toBe(
      "Sat, 28 Mar 2026, 21:00 CET – Sun, 29 Mar 2026, 12:00 CEST (Europe/Berlin)",
    );
    expect(formatEventRange({ startsAt: Date.UTC(2026, 2, 28, 23), endsAt: Date.UTC(2026, 2, 29, 3), timeZone: "Europe/Berlin" })).toBe(
      "Sun, 29 Mar 2026, 00:00 CET – 05:00 CEST (Europe/Berlin)",
    );
    // Fall back in New York: 02:00 EDT becomes 01:00 EST on 1 November.
    expect(formatEventRange({ startsAt: Date.UTC(2026, 10, 1, 4), endsAt: Date.UTC(2026, 10, 1, 8), timeZone: "America/New_York" })).toBe(
      "Sun, 1 Nov 2026, 00:00 EDT – 03:00 EST (America/New_York)",
    );
  });
});

describe("formatMomentInZone", () => {
  const at = Date.parse("2030-06-01T08:42:00Z");
  it("shows the time alone on the same day in the event's zone, with the date otherwise", () => {
    expect(formatMomentInZone(at, "Europe/Berlin", at + 60_000)).toBe("10:42");
    expect(formatMomentInZone(at, "America/New_York", at + 60_000)).toBe("04:42");
    expect(formatMomentInZone(at, "Europe/Berlin", at + 3 * 86_400_000)).toBe("1 Jun 2030, 10:42");
  });
});

describe("formatMoney", () => {
  it("prints whole cents in the currency, with its symbol", () => {
    expect(formatMoney(4900, "EUR")).toBe("€49.00");
    expect(formatMoney(123_450, "USD")).toBe("US$1,234.50");
    expect(formatMoney(1, "GBP")).toBe("£0.01");
    // Intl keeps a code and its amount together with a no-break space.
    expect(formatMoney(2500, "CHF")).toBe("CHF\u00a025.00");
  });

  it("says Free for a zero price", () => {
    expect(formatMoney(0, "EUR")).toBe("Free");
    expect(formatMoney(0, "not a currency")).toBe("Free");
  });

  it("falls back to the amount and the code for a currency it can't format, rather than throwing", () => {
    expect(formatMoney(1250, "EURO")).toBe("12.50 EURO");
    // Well-formed but unknown codes are Intl's to print, with the code in front.
    expect(formatMoney(1250, "XYZ")).toBe("XYZ\u00a012.50");
  });
});

describe("parsePriceToCents", () => {
  it("reads amounts with up to two decimals, either separator, exactly", () => {
    expect(parsePriceToCents("19.99")).toBe(1999);
    expect(parsePriceToCents(" 12,5 ")).toBe(1250);
    expect(parsePriceToCents("0")).toBe(0);
  });

  it("refuses anything else", () => {
    for (const text of ["", "-1", "1.999", "1e3", "12 EUR", "12345678"]) expect(parsePriceToCents(text)).toBeNull();
  });
});
