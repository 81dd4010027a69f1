import { emptyGraph } from '@reelflow/fbp-model';
import { describe, expect, it } from 'vitest';
import { createServices } from '../model/services.js';
import { createDesignerStore } from '../store/store.js';
import {
  idForName,
  isDirty,
  newFlowId,
  preconditionHeaders,
  savePrecondition,
  slug,
  unstoredDoc,
  versionOfEtag,
} from './document.js';

describe('documents', () => {
  it('gives every new flow an id of its own', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newFlowId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^flow-[0-9a-z]{6}$/);
    expect(newFlowId(() => 0)).toBe('flow-000000');
  });

  it('names a saved flow after its name, never after a stored graph', () => {
    expect(slug('Transcode to 720p H.264')).toBe('transcode-to-720p-h-264');
    expect(slug('  ***  ')).toBe('flow');
    expect(idForName('My flow', ['my-flow', 'my-flow-2'])).toBe('my-flow-3');
    expect(idForName('Other', ['my-flow'])).toBe('other');
  });

  it('saves over the stored graph it was opened from only, else as a new graph', () => {
    const g = emptyGraph('a', 'A');
    const opened = { baseline: g, stored: { id: 'a', version: 4 }, provisionalId: false };
    expect(savePrecondition(g, opened)).toEqual({ kind: 'replace', version: 4 });
    expect(savePrecondition({ ...g, id: 'b' }, opened)).toEqual({ kind: 'create' });
    expect(savePrecondition(g, unstoredDoc(g))).toEqual({ kind: 'create' });
    expect(preconditionHeaders({ kind: 'replace', version: 4 })).toEqual({ 'if-match': '"4"' });
    expect(preconditionHeaders({ kind: 'create' })).toEqual({ 'if-none-match': '*' });
    expect(versionOfEtag('"12"')).toBe(12);
    expect(versionOfEtag('W/"3"')).toBe(3);
    expect(versionOfEtag(null)).toBeUndefined();
    expect(versionOfEtag('"x"')).toBeUndefined();
  });

  it('marks unsaved changes until undone or saved', () => {
    const store = createDesignerStore(createServices());
    const state = () => store.getState();
    expect(isDirty(state().graph, state().doc)).toBe(false);
    expect(state().doc.provisionalId).toBe(true);
    state().dispatch([{ kind: 'set-name', name: 'Renamed' }]);
    expect(isDirty(state().graph, state().doc)).toBe(true);
    state().undo();
    expect(isDirty(state().graph, state().doc)).toBe(false);
    state().dispatch([{ kind: 'set-name', name: 'Renamed' }]);
    state().markSaved(state().graph, { id: 'renamed', version: 1 });
    expect(isDirty(state().graph, state().doc)).toBe(false);
    expect(state().doc).toMatchObject({ stored: { id: 'renamed', version: 1 } });
  });

  it('opens a document with a fresh history and selection', () => {
    const store = createDesignerStore(createServices());
    const state = () => store.getState();
    state().dispatch([{ kind: 'set-name', name: 'Edited' }]);
    const other = emptyGraph('other', 'Other');
    state().openDocument(other, unstoredDoc(other));
    expect(state().graph).toBe(other);
    expect(state().history.past).toHaveLength(0);
    expect(isDirty(state().graph, state().doc)).toBe(false);
  });

  it('answers one question at a time; a newer question cancels the older', async () => {
    const store = createDesignerStore(createServices());
    const first = store.getState().ask({ title: 'One', text: '', ok: 'OK' });
    const second = store
      .getState()
      .ask({ title: 'Two', text: '', ok: 'OK', input: { label: 'Name', value: '' } });
    expect(await first).toEqual({ choice: 'cancel' });
    expect(store.getState().dialog?.title).toBe('Two');
    store.getState().answer({ choice: 'ok', value: 'x' });
    expect(await second).toEqual({ choice: 'ok', value: 'x' });
    expect(store.getState().dialog).toBeUndefined();
  });
});
