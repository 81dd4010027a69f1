import { describe, expect, it } from 'vitest';
import { readPanelOpen, writePanelOpen } from './layout-prefs.js';

/** A Map behind the two Storage methods the preferences use. */
function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
  };
}

describe('panel preferences', () => {
  it('opens panels the user never closed', () => {
    expect(readPanelOpen(memoryStorage(), 'palette')).toBe(true);
    expect(readPanelOpen(undefined, 'side')).toBe(true);
  });

  it('remembers each panel on its own', () => {
    const storage = memoryStorage();
    writePanelOpen(storage, 'side', false);
    expect(readPanelOpen(storage, 'side')).toBe(false);
    expect(readPanelOpen(storage, 'palette')).toBe(true);
    writePanelOpen(storage, 'side', true);
    expect(readPanelOpen(storage, 'side')).toBe(true);
  });

  it('treats a storage that refuses access as open and still lets the panel toggle', () => {
    const refusing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(readPanelOpen(refusing, 'palette')).toBe(true);
    expect(() => writePanelOpen(refusing, 'palette', false)).not.toThrow();
  });
});
