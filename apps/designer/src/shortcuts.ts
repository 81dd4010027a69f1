import type { Commands } from './commands.js';

/** One keyboard shortcut: how it is shown in the help overlay, when it fires, what it does. */
export interface Shortcut {
  readonly keys: readonly string[];
  readonly label: string;
  matches(e: KeyboardEvent): boolean;
  run(c: Commands): void;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (k: string) => (e: KeyboardEvent) => e.key.toLowerCase() === k;

/** The shortcut table: the help overlay lists exactly what the handler binds. */
export const SHORTCUTS: readonly Shortcut[] = [
  {
    keys: ['Ctrl', 'Z'],
    label: 'Undo',
    matches: (e) => mod(e) && !e.shiftKey && key('z')(e),
    run: (c) => c.undo(),
  },
  {
    keys: ['Ctrl', 'Shift', 'Z'],
    label: 'Redo',
    matches: (e) => mod(e) && ((e.shiftKey && key('z')(e)) || key('y')(e)),
    run: (c) => c.redo(),
  },
  {
    keys: ['Del'],
    label: 'Delete selection',
    matches: (e) => e.key === 'Delete' || e.key === 'Backspace',
    run: (c) => c.deleteSelection(),
  },
  {
    keys: ['Ctrl', 'C'],
    label: 'Copy selection',
    matches: (e) => mod(e) && key('c')(e),
    run: (c) => c.copy(),
  },
  {
    keys: ['Ctrl', 'V'],
    label: 'Paste (keeps inner edges)',
    matches: (e) => mod(e) && key('v')(e),
    run: (c) => c.paste(),
  },
  {
    keys: ['Ctrl', 'D'],
    label: 'Duplicate selection',
    matches: (e) => mod(e) && key('d')(e),
    run: (c) => c.duplicate(),
  },
  {
    keys: ['Ctrl', 'A'],
    label: 'Select all',
    matches: (e) => mod(e) && key('a')(e),
    run: (c) => c.selectAll(),
  },
  {
    keys: ['Ctrl', 'Shift', 'S'],
    label: 'Save as a new graph',
    matches: (e) => mod(e) && e.shiftKey && key('s')(e),
    run: (c) => void c.saveAs(),
  },
  {
    keys: ['Ctrl', 'S'],
    label: 'Save to the runtime',
    matches: (e) => mod(e) && !e.shiftKey && key('s')(e),
    run: (c) => void c.save(),
  },
  {
    keys: ['L'],
    label: 'Auto-layout',
    matches: (e) => !mod(e) && key('l')(e),
    run: (c) => void c.layout(),
  },
  {
    keys: ['F'],
    label: 'Fit view',
    matches: (e) => !mod(e) && key('f')(e),
    run: (c) => c.fitView(),
  },
  {
    keys: ['V'],
    label: 'Validate (all rules)',
    matches: (e) => !mod(e) && key('v')(e),
    run: (c) => c.validate(),
  },
  {
    keys: ['S'],
    label: 'Simulation mode on/off',
    matches: (e) => !mod(e) && key('s')(e),
    run: (c) => c.toggleSimulate(),
  },
  { keys: ['.'], label: 'Simulation: step', matches: (e) => e.key === '.', run: (c) => c.step() },
  {
    keys: [','],
    label: 'Simulation: step back',
    matches: (e) => e.key === ',',
    run: (c) => c.stepBack(),
  },
  {
    keys: ['B'],
    label: 'Toggle breakpoint on selected nodes',
    matches: (e) => !mod(e) && key('b')(e),
    run: (c) => c.toggleBreakpoint(),
  },
  { keys: ['?'], label: 'Show this help', matches: (e) => e.key === '?', run: (c) => c.help() },
  {
    keys: ['Esc'],
    label: 'Clear selection / close',
    matches: (e) => e.key === 'Escape',
    run: (c) => c.escape(),
  },
];

/** Typing in a field or in Monaco must not trigger canvas shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) ||
    target.closest('.monaco-editor') !== null ||
    target.closest('[role="dialog"]') !== null
  );
}

/** Find and run the shortcut for a key press; returns whether one ran. */
export function handleShortcut(e: KeyboardEvent, commands: Commands): boolean {
  if (isTyping(e.target)) return false;
  const shortcut = SHORTCUTS.find((s) => s.matches(e));
  if (!shortcut) return false;
  e.preventDefault();
  shortcut.run(commands);
  return true;
}
