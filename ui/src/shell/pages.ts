import type { IconName } from "../lib/Icon.svelte";

export type PageId = "create" | "gallery" | "activity" | "usage" | "settings";

export interface PageInfo {
  id: PageId;
  label: string;
  icon: IconName;
}

export const PAGES: readonly PageInfo[] = [
  { id: "create", label: "Create", icon: "create" },
  { id: "gallery", label: "Gallery", icon: "gallery" },
  { id: "activity", label: "Activity", icon: "activity" },
  { id: "usage", label: "Usage", icon: "usage" },
  { id: "settings", label: "Settings", icon: "settings" },
];
