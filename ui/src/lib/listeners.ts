/** Callbacks a store calls when something happened (not reactive state: nothing renders them). */
export class Listeners<T = void> {
  #callbacks = new Set<(value: T) => void>();

  add(callback: (value: T) => void): () => void {
    this.#callbacks.add(callback);
    return () => this.#callbacks.delete(callback);
  }

  emit(value: T): void {
    for (const callback of this.#callbacks) callback(value);
  }
}
