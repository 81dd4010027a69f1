import { describe, expect, it } from 'vitest';
import { nextNodeState, nextRunState, nextTaskState } from './machines.js';

describe('lifecycle machines', () => {
  it('walks a run through its phases', () => {
    expect(nextRunState('queued', 'VALIDATE')).toBe('validating');
    expect(nextRunState('validating', 'DEPLOY')).toBe('deploying');
    expect(nextRunState('deploying', 'START')).toBe('running');
    expect(nextRunState('running', 'SUCCEED')).toBe('succeeded');
  });

  it('refuses illegal transitions', () => {
    expect(nextRunState('succeeded', 'START')).toBeNull();
    expect(nextRunState('cancelled', 'RETRY')).toBeNull();
    expect(nextRunState('queued', 'SUCCEED')).toBeNull();
    expect(nextNodeState('done', 'START')).toBeNull();
    expect(nextNodeState('idle', 'RETRY_TASK')).toBeNull();
    expect(nextTaskState('done', 'FAIL')).toBeNull();
    expect(nextTaskState('failed', 'START')).toBeNull();
  });

  it('lets a failed run, node and task resume, but not a cancelled run', () => {
    expect(nextRunState('failed', 'RETRY')).toBe('running');
    expect(nextNodeState('failed', 'RESUME')).toBe('pending');
    expect(nextNodeState('skipped', 'RESUME')).toBe('idle');
    expect(nextTaskState('failed', 'RESUME')).toBe('pending');
  });

  it('lets a retrying task fail again (a self-transition is legal)', () => {
    expect(nextTaskState('retrying', 'RETRY')).toBe('retrying');
  });
});
