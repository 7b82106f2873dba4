// Batches the page's asks for records: tiles drawn in one frame become one
// `gallery_records` call, and a key already on its way is not asked for again.

export class RecordBatcher {
  #pending = new Set<string>();
  #inflight = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly fetch: (keys: string[]) => Promise<void>,
    private readonly delayMs = 16,
  ) {}

  busy(key: string): boolean {
    return this.#inflight.has(key) || this.#pending.has(key);
  }

  ask(key: string): void {
    if (this.#inflight.has(key)) return;
    this.#pending.add(key);
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.#flush();
      }, this.delayMs);
    }
  }

  async #flush(): Promise<void> {
    const keys = [...this.#pending];
    this.#pending.clear();
    if (keys.length === 0) return;
    for (const k of keys) this.#inflight.add(k);
    try {
      await this.fetch(keys);
    } finally {
      for (const k of keys) this.#inflight.delete(k);
    }
  }
}
