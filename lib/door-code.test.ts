import { describe, expect, it } from "vitest";
import { DOOR_CODE_ALPHABET, DOOR_CODE_LENGTH, formatDoorCode, newDoorCode, normalizeDoorCode } from "./door-code";

describe("door codes", () => {
  it("are 10 characters of Crockford base32 (50 bits), none of them a look-alike", () => {
    expect(DOOR_CODE_ALPHABET).toHaveLength(32);
    expect(DOOR_CODE_LENGTH * Math.log2(DOOR_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(50);
    for (const c of "ILOU") expect(DOOR_CODE_ALPHABET).not.toContain(c);
    const codes = Array.from({ length: 2000 }, newDoorCode);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // Every character of the alphabet turns up: the draw isn't stuck in part of it.
    expect(new Set(codes.join(""))).toEqual(new Set(DOOR_CODE_ALPHABET));
  });

  it("print in two groups of five and read back as they were", () => {
    const code = newDoorCode();
    expect(formatDoorCode(code)).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(normalizeDoorCode(formatDoorCode(code))).toBe(code);
  });

  it("forgive case, spaces, dashes and the look-alikes O, I and L", () => {
    expect(normalizeDoorCode("7kq2m-x9d4p")).toBe("7KQ2MX9D4P");
    expect(normalizeDoorCode(" 7KQ2M X9D4P ")).toBe("7KQ2MX9D4P");
    expect(normalizeDoorCode("7KQ2M—X9D4P")).toBe("7KQ2MX9D4P");
    expect(normalizeDoorCode("OIL23-45678")).toBe("0112345678");
    expect(normalizeDoorCode("oil23 45678")).toBe("0112345678");
  });

  it("refuse what can't be a code", () => {
    expect(normalizeDoorCode("")).toBeNull();
    expect(normalizeDoorCode("7KQ2M")).toBeNull();
    expect(normalizeDoorCode("7KQ2M-X9D4P-Z")).toBeNull();
    expect(normalizeDoorCode("UUUUU-UUUUU")).toBeNull();
    expect(normalizeDoorCode("7KQ2M_X9D4P")).toBeNull();
    expect(normalizeDoorCode("7KQ2M-X9D4Ä")).toBeNull();
  });
});
