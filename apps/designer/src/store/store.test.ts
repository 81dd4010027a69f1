import { parseGraph } from '@reelflow/fbp-model';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createServices } from '../model/services.js';
import { createDesignerStore } from './store.js';

const example = parseGraph(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
).graph!;
const services = createServices();

describe('designer store', () => {
  it('validates on every edit and marks the element at fault', () => {
    const store = createDesignerStore(services, example);
    expect(store.getState().diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    store
      .getState()
      .dispatch([{ kind: 'set-params', id: 'enc', params: { codec: 'h264', crf: 99 } }]);
    expect(store.getState().issues.get('enc')?.severity).toBe('error');
    expect(
      store
        .getState()
        .diagnostics.some((d) => d.code === 'param-invalid' && d.property === 'params.crf'),
    ).toBe(true);
  });

  it('undoes a delete of a selection with its edges in one step', () => {
    const store = createDesignerStore(services, example);
    store.getState().select(['enc']);
    store.getState().deleteSelection();
    expect(store.getState().graph.nodes.some((n) => n.id === 'enc')).toBe(false);
    expect(store.getState().graph.edges).toHaveLength(4);
    expect(store.getState().selectedNodes.size).toBe(0);
    store.getState().undo();
    expect(store.getState().graph).toBe(example);
    store.getState().redo();
    expect(store.getState().graph.edges).toHaveLength(4);
  });

  it('records a drag as one undo step: the checkpoint, not every move', () => {
    const store = createDesignerStore(services, example);
    store.getState().checkpoint();
    for (let x = 0; x < 5; x++)
      store.getState().dispatch([{ kind: 'move-node', id: 'src', position: { x, y: 0 } }], 'skip');
    expect(store.getState().history.past).toHaveLength(1);
    store.getState().undo();
    expect(store.getState().graph.nodes[0]!.position).toEqual(example.nodes[0]!.position);
  });

  it('pastes a copy with its inner edges and selects it', () => {
    const store = createDesignerStore(services, example);
    store.getState().select(['xfer', 'enc']);
    store.getState().copy();
    store.getState().paste();
    const s = store.getState();
    expect([...s.selectedNodes]).toEqual(['xfer-2', 'enc-2']);
    expect(
      s.graph.edges.filter((e) => e.from.node === 'xfer-2' && e.to.node === 'enc-2'),
    ).toHaveLength(1);
    s.undo();
    expect(store.getState().graph).toBe(example);
  });

  it('adds the slow rules and the project constraints on Validate', () => {
    const store = createDesignerStore(services, example);
    store
      .getState()
      .setConstraints("context encode inv lowCrf 'crf at most 20': self.params.crf <= 20");
    const all = store.getState().validateAll();
    expect(all.map((d) => d.code)).toContain('lowCrf');
    expect(store.getState().fullyValidated).toBe(true);
    store.getState().dispatch([{ kind: 'set-label', id: 'enc', label: 'x' }]);
    expect(store.getState().fullyValidated).toBe(false);
  });
});
