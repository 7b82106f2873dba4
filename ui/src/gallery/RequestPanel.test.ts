// The viewer's side panel: the request, and the task's cost with refunds told apart.
import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { makeTask } from "../testing/fakeBackend";
import type { GalleryRecord } from "../lib/bindings/GalleryRecord";
import RequestPanel from "./RequestPanel.svelte";

function record(over: Parameters<typeof makeTask>[0]): GalleryRecord {
  const task = makeTask(over);
  return {
    key: `task:${task.id}`,
    tile: { key: `task:${task.id}`, media: "image", state: "failed", thumb: false, needs_poster: false, favourite: false, duration_ms: null, ms: 0, revision: 1 },
    task,
    item: null,
    file_url: null,
    thumb_url: null,
    references: [],
  };
}

describe("the side panel's cost", () => {
  it("shows what the task cost in credits", () => {
    render(RequestPanel, { record: record({ cost: 12, state: "succeeded", status: "success" }) });
    expect(screen.getByTestId("panel-cost")).toHaveTextContent("12 credits");
    expect(screen.queryByTestId("panel-refunded")).toBeNull();
  });

  it("marks a refunded task's cost as refunded", () => {
    render(RequestPanel, { record: record({ cost: 12, state: "failed", status: "failed", refunded: true, reason: "The model failed." }) });
    expect(screen.getByTestId("panel-cost")).toHaveTextContent("12 credits · refunded");
    expect(screen.getByTestId("panel-refunded")).toBeInTheDocument();
    expect(screen.getByTestId("panel-status")).toHaveTextContent("Failed");
  });

  it("says — when the cost is not known", () => {
    render(RequestPanel, { record: record({ cost: null }) });
    expect(screen.getByTestId("panel-cost")).toHaveTextContent("—");
  });
});
