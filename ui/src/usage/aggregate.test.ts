// The Usage page's arithmetic: UTC day buckets (zero days included, whatever the time
// zone), stacks by media type and by model, refunds apart, and model totals (the presets'
// own arithmetic is in lib/dates.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import { makeLedger, makeUsageRow } from "../testing/fakeBackend";
import { chargesAndRefunds, chartDays, modelTotals, OTHER, perDay, REFUNDS } from "./aggregate";
import { utcDaysBetween, utcPresetRange } from "../lib/dates";

const row = makeUsageRow;
const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe("per-day aggregation", () => {
  it("has a bucket for every day of the range, zero where nothing was used", () => {
    const rows = [
      row({ credits: 8, created_at: "2026-03-03T09:00:00.000Z" }),
      row({ credits: 20, media_type: "video", created_at: "2026-03-01T10:00:00.000Z" }),
      row({ credits: 8, created_at: "2026-03-01T11:00:00.000Z" }),
    ];
    const days = utcDaysBetween("2026-03-01", "2026-03-04");
    const daily = perDay(rows, days, "media");
    expect(daily.days).toEqual(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]);
    expect(daily.series).toEqual([
      { key: "video", values: [20, 0, 0, 0] },
      { key: "image", values: [8, 0, 8, 0] },
    ]);
    expect(daily.totals).toEqual([28, 0, 8, 0]);
  });

  it("puts refunds in a series of their own below zero and nets them in the day's total", () => {
    const rows = [
      row({ credits: -8, created_at: "2026-03-02T10:00:05.000Z", description: "refund: image task failed" }),
      row({ credits: 8, created_at: "2026-03-02T10:00:00.000Z" }),
      row({ credits: 8, created_at: "2026-03-02T09:00:00.000Z" }),
    ];
    const daily = perDay(rows, ["2026-03-02"], "media");
    expect(daily.series).toEqual([
      { key: "image", values: [16] },
      { key: REFUNDS, values: [-8] },
    ]);
    expect(daily.totals).toEqual([8]);
  });

  it("stacks by model with the tasks the app does not know as other, last", () => {
    const rows = [
      row({ credits: 4, model: null, created_at: "2026-03-02T10:00:00.000Z" }),
      row({ credits: 30, model: "kling-2.6", media_type: "video", created_at: "2026-03-02T09:00:00.000Z" }),
      row({ credits: 8, model: "nano-banana-pro", created_at: "2026-03-02T08:00:00.000Z" }),
      row({ credits: 50, model: null, created_at: "2026-03-02T07:00:00.000Z" }),
    ];
    const daily = perDay(rows, ["2026-03-02"], "model");
    expect(daily.series.map((s) => [s.key, s.values[0]])).toEqual([
      ["kling-2.6", 30],
      ["nano-banana-pro", 8],
      [OTHER, 54],
    ]);
  });

  it("buckets by UTC day in any time zone, and presets name UTC days", () => {
    const late = row({ credits: 8, created_at: "2026-03-03T23:30:00.000Z" });
    const early = row({ credits: 4, created_at: "2026-03-04T00:10:00.000Z" });
    for (const tz of ["Pacific/Kiritimati", "America/Los_Angeles", "UTC"]) {
      process.env.TZ = tz;
      const daily = perDay([late, early], ["2026-03-03", "2026-03-04"], "media");
      expect(daily.totals, tz).toEqual([8, 4]);
      // 01:00 UTC on the 4th is still the 3rd in Los Angeles, and already the 4th's afternoon at UTC+14.
      expect(utcPresetRange("today", new Date("2026-03-04T01:00:00.000Z")), tz).toEqual({ from: "2026-03-04", to: "2026-03-04" });
    }
    // The time zone really changed under the test: local days differ from UTC days.
    process.env.TZ = "Pacific/Kiritimati";
    expect(new Date("2026-03-03T23:30:00.000Z").getDate()).toBe(4);
    process.env.TZ = "America/Los_Angeles";
    expect(new Date("2026-03-04T00:10:00.000Z").getDate()).toBe(3);
  });

  it("ignores rows outside the days and spans the asked range, the resolved bounds or the rows", () => {
    const rows = [row({ created_at: "2026-02-27T12:00:00.000Z" }), row({ created_at: "2026-03-02T12:00:00.000Z" })];
    expect(perDay(rows, ["2026-03-02"], "media").totals).toEqual([8]);
    expect(chartDays(makeLedger(rows, { from: "2026-03-01", to: "2026-03-03" }))).toEqual([
      "2026-03-01",
      "2026-03-02",
      "2026-03-03",
    ]);
    const open = makeLedger(rows, { from: null, to: null });
    expect(chartDays(open)).toEqual(utcDaysBetween("2026-02-27", "2026-03-02"));
    const timed = makeLedger(rows, { from: "2026-03-01T22:00:00+01:00", to: null }, { from: "2026-03-01T21:00:00.000Z", to: null });
    expect(chartDays(timed)).toEqual(["2026-03-01", "2026-03-02"]);
    expect(chartDays(makeLedger([], { from: null, to: null }))).toEqual([]);
  });
});

describe("totals per model", () => {
  it("count tasks once, net refunds, and keep unknown tasks as other, last", () => {
    const rows = [
      row({ task_id: "a", credits: -8, model: "nano-banana-pro" }),
      row({ task_id: "a", credits: 8, model: "nano-banana-pro" }),
      row({ task_id: "b", credits: 8, model: "nano-banana-pro" }),
      row({ task_id: "c", credits: 100, model: null }),
      row({ task_id: "d", credits: 30, model: "kling-2.6" }),
    ];
    expect(modelTotals(rows)).toEqual([
      { model: "kling-2.6", tasks: 1, charged: 30, refunded: 0, net: 30 },
      { model: "nano-banana-pro", tasks: 2, charged: 16, refunded: 8, net: 8 },
      { model: OTHER, tasks: 1, charged: 100, refunded: 0, net: 100 },
    ]);
    expect(chargesAndRefunds(rows)).toEqual({ charged: 146, refunded: 8 });
  });
});
