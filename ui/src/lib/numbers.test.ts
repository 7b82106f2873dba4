import { describe, expect, it } from "vitest";
import { counted, credits, formatNumber } from "./numbers";

describe("numbers", () => {
  it("groups thousands whatever the webview's locale", () => {
    expect(formatNumber(10000)).toBe("10,000");
    expect(formatNumber(1234567.5)).toBe("1,234,567.5");
    expect(formatNumber(0.000125)).toBe("0.000125");
  });

  it("counts in words with the right plural", () => {
    expect(counted(1, "item")).toBe("1 item");
    expect(counted(0, "item")).toBe("0 items");
    expect(counted(10003, "item")).toBe("10,003 items");
    expect(counted(2, "entry", "entries")).toBe("2 entries");
    expect(credits(1)).toBe("1 credit");
    expect(credits(-1)).toBe("-1 credit");
    expect(credits(2500)).toBe("2,500 credits");
  });
});
