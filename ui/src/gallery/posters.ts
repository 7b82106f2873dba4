// Video posters made by the page: the core cannot decode every H.264 profile, the webview
// can. A hidden <video> loads the local copy from the media server (CORS lets the canvas
// be read), seeks a little past the start (the very first frame is often black), draws
// the frame to a canvas and hands the JPEG to `store_poster`. One video at a time, visible
// tiles first, so posters never compete with scrolling.

/** The time of the frame taken, in seconds (or half the clip when it is shorter). */
export const POSTER_AT_S = 0.1;
const TIMEOUT_MS = 15_000;

/** Draws a frame of the video at `url` and returns it as a JPEG data URL. */
export function captureFrame(url: string, timeoutMs = TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const video = document.createElement("video");
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = (result: { ok: string } | { error: string }) => {
      if (timer) clearTimeout(timer);
      video.onloadeddata = video.onseeked = video.onerror = null;
      video.removeAttribute("src");
      video.load();
      if ("ok" in result) resolve(result.ok);
      else reject(new Error(result.error));
    };
    timer = setTimeout(() => done({ error: "the video did not load in time" }), timeoutMs);
    video.crossOrigin = "anonymous";
    video.muted = true;
    video.preload = "auto";
    video.playsInline = true;
    video.onerror = () => done({ error: `the video cannot be played here (code ${video.error?.code ?? "?"})` });
    video.onloadeddata = () => {
      const duration = Number.isFinite(video.duration) ? video.duration : POSTER_AT_S * 2;
      video.currentTime = Math.min(POSTER_AT_S, duration / 2);
    };
    video.onseeked = () => {
      try {
        const canvas = document.createElement("canvas");
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const context = canvas.getContext("2d");
        if (!context || canvas.width === 0 || canvas.height === 0) throw new Error("the video has no picture");
        context.drawImage(video, 0, 0);
        done({ ok: canvas.toDataURL("image/jpeg", 0.85) });
      } catch (error) {
        done({ error: error instanceof Error ? error.message : String(error) });
      }
    };
    video.src = url;
  });
}

export interface PosterWork {
  /** The local copy's URL of a video item (null: it has none right now). */
  fileUrl(key: string): Promise<string | null>;
  /** Hands the picture to the core. */
  store(key: string, dataUrl: string): Promise<void>;
  capture(url: string): Promise<string>;
}

/**
 * The queue of videos that need a poster. `want` puts keys at the front (visible tiles),
 * `add` at the back (the rest of the list); a key is tried once per session, so a video
 * the platform cannot play keeps its icon and is not retried in a loop.
 */
export class PosterQueue {
  #queue: string[] = [];
  #tried = new Set<string>();
  #running = 0;

  constructor(
    private readonly work: PosterWork,
    private readonly concurrency = 1,
  ) {}

  /** Visible tiles: first in line. */
  want(keys: string[]): void {
    const fresh = keys.filter((k) => !this.#tried.has(k));
    if (fresh.length === 0) return;
    this.#queue = [...fresh, ...this.#queue.filter((k) => !fresh.includes(k))];
    this.#pump();
  }

  /** The rest: after what is queued. */
  add(keys: string[]): void {
    const queued = new Set(this.#queue);
    for (const key of keys) if (!this.#tried.has(key) && !queued.has(key)) this.#queue.push(key);
    this.#pump();
  }

  get pending(): number {
    return this.#queue.length + this.#running;
  }

  /** Forgets the queue (a profile switch). */
  clear(): void {
    this.#queue = [];
    this.#tried.clear();
  }

  #pump(): void {
    while (this.#running < this.concurrency && this.#queue.length > 0) {
      const key = this.#queue.shift()!;
      if (this.#tried.has(key)) continue;
      this.#tried.add(key);
      this.#running++;
      void this.#make(key).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #make(key: string): Promise<void> {
    try {
      const url = await this.work.fileUrl(key);
      if (!url) return;
      const picture = await this.work.capture(url);
      await this.work.store(key, picture);
    } catch {
      // Not every video plays in every webview: the tile keeps its icon and duration badge.
    }
  }
}
