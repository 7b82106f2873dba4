import { describe, expect, it } from "vitest";
import { formatDuration } from "./format";

describe("formatDuration", () => {
  it("floors to whole seconds like the player's own clock", () => {
    expect(formatDuration(4_960)).toBe("0:04");
    expect(formatDuration(65_400)).toBe("1:05");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
  });

  it("never shows a real clip as 0:00", () => {
    expect(formatDuration(400)).toBe("0:01");
    expect(formatDuration(0)).toBe("0:00");
  });

  it("is empty when the duration is unknown", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(Number.NaN)).toBe("");
    expect(formatDuration(-5)).toBe("");
  });
});
