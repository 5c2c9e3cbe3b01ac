import { describe, expect, it } from "vitest";
import { canonicalTimeZone, parseLocalDateTime, utcToZonedLocal, zonedLocalToUtc } from "./time";

const utc = (iso: string) => Date.parse(iso);

describe("zonedLocalToUtc", () => {
  it("uses the zone's offset on that date (winter and summer time)", () => {
    expect(zonedLocalToUtc("2026-01-14T09:00", "Europe/Berlin")).toBe(utc("2026-01-14T08:00:00Z"));
    expect(zonedLocalToUtc("2026-07-14T09:00", "Europe/Berlin")).toBe(utc("2026-07-14T07:00:00Z"));
    expect(zonedLocalToUtc("2026-07-14T09:00", "America/New_York")).toBe(utc("2026-07-14T13:00:00Z"));
    expect(zonedLocalToUtc("2026-03-14T09:00", "UTC")).toBe(utc("2026-03-14T09:00:00Z"));
  });

  it("handles zones with odd offsets and across the date line", () => {
    expect(zonedLocalToUtc("2026-03-14T09:00", "Asia/Kolkata")).toBe(utc("2026-03-14T03:30:00Z"));
    expect(zonedLocalToUtc("2026-03-14T09:00", "Asia/Kathmandu")).toBe(utc("2026-03-14T03:15:00Z"));
    expect(zonedLocalToUtc("2026-01-01T00:30", "Pacific/Auckland")).toBe(utc("2025-12-31T11:30:00Z"));
  });

  it("accepts seconds", () => {
    expect(zonedLocalToUtc("2026-01-14T09:00:30", "Europe/Berlin")).toBe(utc("2026-01-14T08:00:30Z"));
  });

  it("refuses the hour skipped when clocks go forward", () => {
    // Berlin: 2026-03-29 02:00 → 03:00.
    expect(zonedLocalToUtc("2026-03-29T02:30", "Europe/Berlin")).toBeNull();
    expect(zonedLocalToUtc("2026-03-29T03:00", "Europe/Berlin")).toBe(utc("2026-03-29T01:00:00Z"));
    expect(zonedLocalToUtc("2026-03-29T01:59", "Europe/Berlin")).toBe(utc("2026-03-29T00:59:00Z"));
  });

  it("takes the earlier of the two instants when clocks go back", () => {
    // Berlin: 2026-10-25 03:00 → 02:00, so 02:30 happens at 00:30Z and again at 01:30Z.
    expect(zonedLocalToUtc("2026-10-25T02:30", "Europe/Berlin")).toBe(utc("2026-10-25T00:30:00Z"));
    expect(zonedLocalToUtc("2026-11-01T01:30", "America/New_York")).toBe(utc("2026-11-01T05:30:00Z"));
  });

  it("rejects malformed or impossible dates", () => {
    for (const bad of ["", "2026-03-14", "2026-03-14 09:00", "2026-02-30T09:00", "2026-13-01T09:00", "2026-03-14T24:00", "2026-03-14T09:60", "x"]) {
      expect(zonedLocalToUtc(bad, "UTC"), bad).toBeNull();
    }
    expect(parseLocalDateTime("2028-02-29T12:00")).not.toBeNull();
    expect(parseLocalDateTime("2026-02-29T12:00")).toBeNull();
  });

  it("round-trips with utcToZonedLocal", () => {
    for (const zone of ["Europe/Berlin", "America/Los_Angeles", "Australia/Sydney", "Asia/Tokyo", "UTC"]) {
      for (const local of ["2026-01-05T08:15", "2026-06-21T23:45", "2026-12-31T00:00"]) {
        const ms = zonedLocalToUtc(local, zone);
        expect(ms).not.toBeNull();
        expect(utcToZonedLocal(ms!, zone)).toBe(local);
      }
    }
  });
});

describe("canonicalTimeZone", () => {
  it("accepts IANA names, case-insensitively, and returns the canonical spelling", () => {
    expect(canonicalTimeZone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
  });

  it("rejects unknown names and raw offsets", () => {
    expect(canonicalTimeZone("Mars/Olympus_Mons")).toBeNull();
    expect(canonicalTimeZone("+01:00")).toBeNull();
    expect(canonicalTimeZone("")).toBeNull();
    expect(canonicalTimeZone("Europe/Berlin; drop table")).toBeNull();
  });
});
