import type { ExecutorEvent } from './types.js';

/** The listener list behind `Executor.onEvent`, shared by the executors. */
export class EventHub {
  private readonly listeners = new Set<(event: ExecutorEvent) => void>();

  on(listener: (event: ExecutorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ExecutorEvent): void {
    for (const listener of this.listeners) {
      // A throwing listener must not break the executor's own bookkeeping loops.
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`executor event listener threw on ${event.type}: ${String(error)}`);
      }
    }
  }
}
