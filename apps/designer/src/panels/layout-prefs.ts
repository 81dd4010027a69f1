import { useCallback, useEffect, useState } from 'react';

/** The collapsible side panels of the designer. */
export type PanelName = 'palette' | 'side';

/** Toolbar widths: below `wide` lower-priority commands move into the More menu. */
export const WIDE_MIN = 1280;
/** Below this the analysis and file commands move into the More menu too. */
export const MEDIUM_MIN = 1024;

const key = (panel: PanelName) => `reelflow.layout.${panel}`;

/** Whether `panel` was left open (default: open); a storage failure counts as open. */
export function readPanelOpen(storage: Pick<Storage, 'getItem'> | undefined, panel: PanelName) {
  try {
    return storage?.getItem(key(panel)) !== 'closed';
  } catch {
    return true;
  }
}

export function writePanelOpen(
  storage: Pick<Storage, 'setItem'> | undefined,
  panel: PanelName,
  open: boolean,
): void {
  try {
    storage?.setItem(key(panel), open ? 'open' : 'closed');
  } catch {
    // Private windows may refuse storage: the panel still toggles, it is just not remembered.
  }
}

const storage = () => (typeof window === 'undefined' ? undefined : window.localStorage);

/** A panel's open state, remembered across reloads. */
export function usePanelOpen(panel: PanelName): [boolean, (open: boolean) => void] {
  const [open, setOpenState] = useState(() => readPanelOpen(storage(), panel));
  const setOpen = useCallback(
    (next: boolean) => {
      setOpenState(next);
      writePanelOpen(storage(), panel, next);
    },
    [panel],
  );
  return [open, setOpen];
}

/** Whether the window is at least `px` wide, following resizes. */
export function useMinWidth(px: number): boolean {
  const query = `(min-width: ${px}px)`;
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setMatches(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
}
