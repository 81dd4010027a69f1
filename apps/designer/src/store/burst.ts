import { useRef } from 'react';
import type { HistoryMode } from './store.js';

const BURST_MS = 1000;

/**
 * Typing in a field makes one undo step, not one per keystroke: the first edit of a burst
 * on a key is recorded, the edits that follow it within a second are not.
 */
export function useBurstHistory(): (key: string) => HistoryMode {
  const last = useRef<{ key: string; at: number } | undefined>(undefined);
  return (key) => {
    const now = Date.now();
    const burst = last.current?.key === key && now - last.current.at < BURST_MS;
    last.current = { key, at: now };
    return burst ? 'skip' : 'record';
  };
}
