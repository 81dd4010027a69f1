import { describe, expect, it } from 'vitest';
import { applyRunEvents, type RunEvent } from './run-events.js';
import { idleRun, type RunView } from './run-view.js';

const running: RunView = { ...idleRun, runId: 'r1', state: 'running', startedAt: 0 };

describe('applyRunEvents', () => {
  it('folds a batch of events into one new view', () => {
    const events: RunEvent[] = [
      {
        name: 'node:state',
        payload: { runId: 'r1', nodeId: 'enc', state: 'running', done: 0, total: 3 },
      },
      {
        name: 'task:state',
        payload: {
          runId: 'r1',
          key: 'enc:2',
          nodeId: 'enc',
          index: 2,
          state: 'running',
          attempt: 1,
        },
      },
      {
        name: 'task:progress',
        payload: {
          runId: 'r1',
          key: 'enc:2',
          nodeId: 'enc',
          index: 2,
          fraction: 0.5,
          outTimeSeconds: 1,
        },
      },
      {
        name: 'task:progress',
        payload: {
          runId: 'r1',
          key: 'enc:2',
          nodeId: 'enc',
          index: 2,
          fraction: 0.25,
          outTimeSeconds: 0.5,
        },
      },
      {
        name: 'log',
        payload: { runId: 'r1', nodeId: 'enc', key: 'enc:2', stream: 'stderr', line: 'frame=1' },
      },
    ];
    const view = applyRunEvents(running, events, 10);
    expect(view.nodes.enc).toMatchObject({ state: 'running', total: 3 });
    // Tasks before the first reported one are shown as pending; progress never goes back.
    expect(view.nodes.enc!.tasks.map((t) => [t.index, t.state, t.progress])).toEqual([
      [0, 'pending', 0],
      [1, 'pending', 0],
      [2, 'running', 0.5],
    ]);
    expect(view.logs.enc).toEqual(['[enc:2] frame=1']);
    expect(running.nodes).toEqual({});
  });

  it('ignores events of other runs and stamps the end of a terminal state', () => {
    const view = applyRunEvents(
      running,
      [
        { name: 'run:state', payload: { runId: 'other', state: 'failed' } },
        { name: 'run:state', payload: { runId: 'r1', state: 'succeeded' } },
      ],
      42,
    );
    expect(view).toMatchObject({ state: 'succeeded', endedAt: 42 });
  });

  it('marks a finished task complete', () => {
    const view = applyRunEvents(
      running,
      [
        {
          name: 'task:state',
          payload: { runId: 'r1', key: 'm:0', nodeId: 'm', index: 0, state: 'done', attempt: 1 },
        },
      ],
      0,
    );
    expect(view.nodes.m!.tasks[0]).toEqual({ index: 0, state: 'done', progress: 1 });
  });
});
