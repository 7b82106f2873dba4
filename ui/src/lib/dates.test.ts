// The two clocks of lib/dates.ts: local days follow the computer's time zone (checked by
// changing it under the test), UTC days do not; and how long a task took.
import { afterEach, describe, expect, it } from "vitest";
import { makeTask } from "../testing/fakeBackend";
import {
  describeUtcRange,
  elapsedMs,
  formatElapsed,
  formatLocalDateTime,
  formatLocalWithUtc,
  formatUtcDay,
  groupByLocalDay,
  isDateOnly,
  localDayInput,
  localDayLabel,
  localDayStart,
  localLastDaysStart,
  utcAddDays,
  utcDay,
  utcDaysBetween,
  utcPresetRange,
} from "./dates";

const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe("local days", () => {
  it("start at the computer's midnight, not UTC's", () => {
    process.env.TZ = "America/Los_Angeles";
    expect(localDayStart("2026-03-04")).toBe(Date.parse("2026-03-04T08:00:00.000Z"));
    // The day after the picked one: an exclusive end that includes the picked day.
    expect(localDayStart("2026-03-04", 1)).toBe(Date.parse("2026-03-05T08:00:00.000Z"));
    process.env.TZ = "Pacific/Kiritimati";
    expect(localDayStart("2026-03-04")).toBe(Date.parse("2026-03-03T10:00:00.000Z"));
    expect(localDayStart("")).toBeNull();
    expect(localDayStart("not a day")).toBeNull();
  });

  it("write a bound back as the local day a date input shows", () => {
    process.env.TZ = "America/Los_Angeles";
    const start = Date.parse("2026-03-04T08:00:00.000Z");
    expect(localDayInput(start)).toBe("2026-03-04");
    // An exclusive end at the next midnight shows the last day it includes.
    expect(localDayInput(Date.parse("2026-03-05T08:00:00.000Z"), true)).toBe("2026-03-04");
    expect(localDayInput(null)).toBe("");
  });

  it("count the last N days with today as one", () => {
    process.env.TZ = "America/Los_Angeles";
    // 01:00 UTC on the 4th is the 3rd's evening in Los Angeles.
    const now = Date.parse("2026-03-04T01:00:00.000Z");
    expect(localLastDaysStart(1, now)).toBe(Date.parse("2026-03-03T08:00:00.000Z"));
    expect(localLastDaysStart(7, now)).toBe(Date.parse("2026-02-25T08:00:00.000Z"));
  });

  it("are called Today and Yesterday by the local calendar, else by their date", () => {
    process.env.TZ = "America/Los_Angeles";
    const now = new Date("2026-03-04T01:00:00.000Z"); // the 3rd, 17:00 local
    expect(localDayLabel(new Date("2026-03-03T09:00:00.000Z"), now)).toBe("Today");
    expect(localDayLabel(new Date("2026-03-03T07:59:00.000Z"), now)).toBe("Yesterday");
    const older = localDayLabel(new Date("2026-02-20T12:00:00.000Z"), now);
    expect(older).toMatch(/20/);
    expect(older).not.toMatch(/2026/);
    expect(localDayLabel(new Date("2025-12-20T12:00:00.000Z"), now)).toMatch(/2025/);
  });

  it("group records by the local day they were created, keeping their order", () => {
    process.env.TZ = "America/Los_Angeles";
    const now = new Date("2026-03-04T01:00:00.000Z");
    const records = [
      { id: "a", created_at: "2026-03-04T00:30:00.000Z" }, // the 3rd, local
      { id: "b", created_at: "2026-03-03T09:00:00.000Z" }, // the 3rd
      { id: "c", created_at: "2026-03-03T07:00:00.000Z" }, // the 2nd
      { id: "d", created_at: "garbage" },
    ];
    const groups = groupByLocalDay(records, now);
    expect(groups.map((g) => [g.label, g.tasks.map((t) => t.id)])).toEqual([
      ["Today", ["a", "b"]],
      ["Yesterday", ["c"]],
      ["Unknown date", ["d"]],
    ]);
  });

  it("show a moment in local time, with its UTC twin for the hover", () => {
    const when = formatLocalWithUtc("2026-03-04T01:02:03.456Z");
    expect(when.utc).toBe("2026-03-04 01:02:03 UTC");
    expect(when.date).not.toBe("");
    expect(when.time).not.toBe("");
    expect(formatLocalWithUtc("yesterday")).toEqual({ date: "yesterday", time: "", utc: "yesterday" });
    expect(formatLocalDateTime(Date.parse("2026-03-04T01:02:03.456Z"))).toMatch(/2026/);
    expect(formatLocalDateTime(null)).toBe("");
    expect(formatLocalDateTime(Number.NaN)).toBe("");
  });
});

describe("UTC days", () => {
  it("are the same day in every time zone", () => {
    for (const tz of ["Pacific/Kiritimati", "America/Los_Angeles", "UTC"]) {
      process.env.TZ = tz;
      expect(utcDay("2026-03-03T23:30:00.000Z"), tz).toBe("2026-03-03");
      expect(utcAddDays("2026-02-28", 1), tz).toBe("2026-03-01");
      expect(utcDaysBetween("2026-03-30", "2026-04-02"), tz).toEqual(["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]);
    }
    expect(utcDaysBetween("2026-03-02", "2026-03-01")).toEqual([]);
    expect(isDateOnly("2026-03-02")).toBe(true);
    expect(isDateOnly("2026-03-02T00:00:00Z")).toBe(false);
    expect(isDateOnly(null)).toBe(false);
  });

  it("are written with the year only when it is not this year's", () => {
    expect(formatUtcDay("2026-03-03", "2026")).toBe("Mar 3");
    expect(formatUtcDay("2025-12-31", "2026")).toBe("Dec 31, 2025");
  });
});

describe("presets", () => {
  const now = new Date("2026-03-17T15:00:00.000Z");
  it("cover today, the last 7 and 30 days, and this month, in UTC days", () => {
    expect(utcPresetRange("today", now)).toEqual({ from: "2026-03-17", to: "2026-03-17" });
    expect(utcPresetRange("last7", now)).toEqual({ from: "2026-03-11", to: "2026-03-17" });
    expect(utcDaysBetween("2026-03-11", "2026-03-17")).toHaveLength(7);
    expect(utcPresetRange("last30", now)).toEqual({ from: "2026-02-16", to: "2026-03-17" });
    expect(utcPresetRange("month", now)).toEqual({ from: "2026-03-01", to: "2026-03-17" });
    expect(utcPresetRange("custom", now, { from: " 2026-01-05 ", to: "" })).toEqual({ from: "2026-01-05", to: null });
    expect(utcDay("2026-03-17T23:59:59.999Z")).toBe("2026-03-17");
  });

  it("are named in words", () => {
    expect(describeUtcRange({ from: "2026-03-11", to: "2026-03-17" })).toBe("Mar 11, 2026 – Mar 17, 2026");
    expect(describeUtcRange({ from: "2026-03-17", to: "2026-03-17" })).toBe("Mar 17, 2026");
    expect(describeUtcRange({ from: null, to: null })).toBe("all time");
  });
});

describe("elapsed time", () => {
  it("runs to now while the task runs, and stops at its end", () => {
    const created = "2026-03-04T10:00:00.000Z";
    const start = Date.parse(created);
    const running = makeTask({ state: "processing", created_at: created });
    expect(elapsedMs(running, start + 8_000)).toBe(8_000);
    const done = makeTask({ state: "succeeded", created_at: created, finished_ms: start + 65_000 });
    expect(elapsedMs(done, start + 999_000)).toBe(65_000);
    const unparsed = makeTask({ state: "processing", created_at: "soon" });
    expect(elapsedMs(unparsed, start)).toBe(0);
  });

  it("is written in seconds, minutes or hours", () => {
    expect(formatElapsed(8_400)).toBe("8 s");
    expect(formatElapsed(125_000)).toBe("2 min 05 s");
    expect(formatElapsed(3_840_000)).toBe("1 h 04 min");
  });
});
