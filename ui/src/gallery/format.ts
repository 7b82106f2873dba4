// Numbers of the gallery in the app's words: durations, sizes, download progress (dates
// are lib/dates.ts's).

/** "0:07", "1:05", "1:02:03" for a video's badge. Whole seconds are floored, as the
 * webview's own player shows them, so the badge and the player's end time agree; a clip
 * shorter than a second still says 0:01 rather than 0:00. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "";
  const total = ms > 0 && ms < 1000 ? 1 : Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** "820 KB", "3.4 MB", "1.2 GB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** How far a download is: "42%" or "1.2 MB" when the size is unknown. */
export function downloadText(received: number, total: number | null): string {
  if (total && total > 0) return `${Math.min(100, Math.floor((received / total) * 100))}%`;
  return formatBytes(received);
}
