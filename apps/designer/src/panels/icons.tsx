import type { ReactNode } from 'react';

/** Stroke icons (24-unit grid, Lucide-like) drawn inline, so no icon font or CDN is needed. */
const PATHS = {
  new: 'M6 3h8l5 5v13H6zM14 3v5h5M12 11v6M9 14h6',
  saveAs: 'M5 3h11l5 5v5M5 3a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h7M7 3v6h8M17 15v6M14 18h6',
  open: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z',
  save: 'M5 3h11l5 5v11a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zM7 3v6h8M7 21v-7h10v7',
  import: 'M12 15V3M7 8l5-5 5 5M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4',
  export: 'M12 3v12M7 10l5 5 5-5M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4',
  undo: 'M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11',
  redo: 'm15 14 5-5-5-5M20 9H9.5a5.5 5.5 0 0 0 0 11H13',
  layout: 'M3 3h7v7H3zM14 3h7v7h-7zM14 14h7v7h-7zM3 14h7v7H3z',
  fit: 'M15 3h6v6M9 21H3v-6M21 3l-7 7M3 21l7-7',
  validate: 'M20 6 9 17l-5-5',
  simulate: 'M22 12h-4l-3 9L9 3l-3 9H2',
  step: 'M5 4l10 8-10 8zM19 5v14',
  back: 'M19 20 9 12l10-8zM5 19V5',
  play: 'M6 4l14 8-14 8z',
  pause: 'M7 4h3v16H7zM14 4h3v16h-3z',
  stop: 'M6 6h12v12H6z',
  reset: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  collapseLeft: 'M3 4h18v16H3zM9 4v16M16 9l-3 3 3 3',
  expandLeft: 'M3 4h18v16H3zM9 4v16M13 9l3 3-3 3',
  collapseRight: 'M3 4h18v16H3zM15 4v16M8 9l3 3-3 3',
  expandRight: 'M3 4h18v16H3zM15 4v16M11 9l-3 3 3 3',
  help: 'M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3M12 17h.01M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 15 }: { name: IconName; size?: number }): ReactNode {
  const filled =
    name === 'play' || name === 'pause' || name === 'stop' || name === 'step' || name === 'back';
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill={filled ? 'currentColor' : 'none'}
      stroke="currentColor"
      strokeWidth={name === 'more' ? 3.5 : filled ? 1.5 : 2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
