// A minimal typed event emitter for adapters that must not depend on VS Code.
export type Listener<T> = (value: T) => void;
export interface Disposable {
  dispose(): void;
}

export class Emitter<T> {
  private listeners = new Set<Listener<T>>();

  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A failing listener must not stop the others or the producer.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
