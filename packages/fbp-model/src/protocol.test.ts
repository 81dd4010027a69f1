import { describe, expect, it } from 'vitest';
import {
  CreateRunRequestSchema,
  isServerEvent,
  isTerminalRunState,
  runRoom,
  SubscribeAckSchema,
} from './protocol.js';

describe('wire protocol', () => {
  it('takes a run request with exactly one of graph or graphId', () => {
    expect(CreateRunRequestSchema.safeParse({ graphId: 'g', input: 'u' }).success).toBe(true);
    expect(
      CreateRunRequestSchema.safeParse({ graph: {}, input: 'u', executor: 'local' }).success,
    ).toBe(true);
    expect(CreateRunRequestSchema.safeParse({ input: 'u' }).success).toBe(false);
    expect(CreateRunRequestSchema.safeParse({ graph: {}, graphId: 'g', input: 'u' }).success).toBe(
      false,
    );
    expect(
      CreateRunRequestSchema.safeParse({ graphId: 'g', input: 'u', executor: 'k8s' }).success,
    ).toBe(false);
  });

  it('guards server events by name', () => {
    expect(isServerEvent('run:state', { runId: 'r', state: 'running' })).toBe(true);
    expect(isServerEvent('run:state', { runId: 'r', state: 'exploded' })).toBe(false);
    expect(
      isServerEvent('node:state', {
        runId: 'r',
        nodeId: 'enc',
        state: 'retrying',
        done: 1,
        total: null,
      }),
    ).toBe(true);
    expect(
      isServerEvent('task:progress', {
        runId: 'r',
        key: 'k',
        nodeId: 'n',
        index: 0,
        fraction: 1.5,
        outTimeSeconds: 1,
      }),
    ).toBe(false);
  });

  it('names run rooms and terminal states, and parses subscribe answers', () => {
    expect(runRoom('abc')).toBe('run:abc');
    expect(isTerminalRunState('failed')).toBe(true);
    expect(isTerminalRunState('running')).toBe(false);
    expect(SubscribeAckSchema.safeParse({ ok: false, error: 'no run x' }).success).toBe(true);
    expect(SubscribeAckSchema.safeParse({ ok: true }).success).toBe(false);
  });
});
