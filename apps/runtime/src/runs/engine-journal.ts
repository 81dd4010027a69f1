import { step, type EngineEvent, type EngineState } from '@reelflow/semantics';
import type { Store } from '../store/store.js';

/** Event types of the journal in the run's event log. */
const ENGINE_EVENT = 'engine:event';
const SNAPSHOT = 'engine:snapshot';

/** Steps between two snapshots when nothing else calls for one. */
export const DEFAULT_SNAPSHOT_EVERY_STEPS = 50;

/**
 * Persists a run's engine state so a restarted runtime can carry on: a snapshot of the whole
 * state now and then, and in between only the events fed to `step()`. Saving the whole state
 * after every step cost O(state) per step, so O(chunks²) over a run; an event costs O(1), and
 * the pure, deterministic `step()` rebuilds the state from the last snapshot and the events
 * logged after it.
 *
 * `record` must run inside the transaction of the step it records, with the step's other writes.
 */
export class EngineJournal {
  private stepsSinceSnapshot = 0;
  /** Events the last `restore()` replayed on its snapshot. */
  replayed = 0;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    private readonly snapshotEverySteps = DEFAULT_SNAPSHOT_EVERY_STEPS,
  ) {}

  /**
   * Record one step. A snapshot is taken when the run's state changed (so the run record's
   * engine state always tells whether and how far a run got going, and an ended run's state is
   * exact), and every `snapshotEverySteps` steps (bounding the replay after a restart).
   */
  record(event: EngineEvent, before: EngineState | undefined, after: EngineState): void {
    const runChanged = before?.run.state !== after.run.state;
    if (runChanged || this.stepsSinceSnapshot + 1 >= this.snapshotEverySteps) {
      this.store.updateRun(this.runId, { engineState: after });
      this.store.appendEvent(this.runId, SNAPSHOT, { runState: after.run.state });
      this.stepsSinceSnapshot = 0;
      return;
    }
    this.store.appendEvent(this.runId, ENGINE_EVENT, event);
    this.stepsSinceSnapshot += 1;
  }

  /**
   * The engine state as of the last recorded step: the last snapshot with the events logged
   * after it replayed on top. Undefined when the run never took a step.
   */
  restore(): EngineState | undefined {
    const snapshot = this.store.getRun(this.runId)?.engineState as EngineState | undefined;
    if (snapshot === undefined) return undefined;
    const log = this.store.listEvents(this.runId);
    let last = -1;
    log.forEach((e, i) => {
      if (e.type === SNAPSHOT) last = i;
    });
    let state = snapshot;
    const tail = log.slice(last + 1).filter((e) => e.type === ENGINE_EVENT);
    for (const e of tail) state = step(state, e.payload as EngineEvent).state;
    this.stepsSinceSnapshot = tail.length;
    this.replayed = tail.length;
    return state;
  }
}
