import { describe, expect, it } from 'vitest';
import type { TaskView } from '../run/run-view.js';
import { stripSegments } from './strip.js';

const task = (index: number, state: string, progress = 0): TaskView => ({ index, state, progress });

describe('stripSegments', () => {
  it('gives each task an equal cell, filled up to its progress', () => {
    const segments = stripSegments([
      task(0, 'done', 1),
      task(1, 'running', 0.5),
      task(2, 'pending'),
      task(3, 'failed', 0.2),
    ]);
    expect(segments).toEqual([
      { from: 0, to: 0.25, colour: '#16a34a' },
      { from: 0.25, to: 0.375, colour: '#2563eb' },
      { from: 0.375, to: 0.5, colour: '#dbe3f0' },
      { from: 0.5, to: 0.75, colour: '#dbe3f0' },
      { from: 0.75, to: 1, colour: '#e11d48' },
    ]);
  });

  it('covers the whole strip without gaps whatever the progress', () => {
    const tasks = [0, 0.3, 1, 1.4, -0.1].map((p, i) => task(i, 'running', p));
    const segments = stripSegments(tasks);
    expect(segments[0]!.from).toBe(0);
    expect(segments.at(-1)!.to).toBe(1);
    for (let i = 1; i < segments.length; i++) expect(segments[i]!.from).toBe(segments[i - 1]!.to);
    // Progress outside 0..1 is clamped: the over-full cell is full, the negative one empty.
    expect(segments.filter((s) => s.colour === '#2563eb').map((s) => s.to - s.from)).toEqual([
      expect.closeTo(0.06),
      expect.closeTo(0.2),
      expect.closeTo(0.2),
    ]);
  });
});
