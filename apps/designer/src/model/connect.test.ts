import { emptyGraph, type Graph } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import { describe, expect, it } from 'vitest';
import { checkConnection } from './connect.js';
import { defaultParams, paramErrors, paramFields } from './params.js';

const graph: Graph = {
  ...emptyGraph('g'),
  nodes: [
    { id: 'src', type: 'source', params: {} },
    { id: 'split', type: 'split', params: {} },
    { id: 'enc', type: 'encode', params: {} },
    { id: 'merge', type: 'merge', params: {} },
    { id: 'out', type: 'stream', params: {} },
  ],
  edges: [{ id: 'e1', from: { node: 'merge', port: 'out' }, to: { node: 'out', port: 'in' } }],
};

describe('checkConnection', () => {
  it('accepts an output joined to an input of the same data type', () => {
    expect(
      checkConnection(graph, library, {
        source: 'src',
        sourceHandle: 'out',
        target: 'split',
        targetHandle: 'in',
      }),
    ).toEqual({ ok: true });
  });

  it('rejects an edge that joins a video port to a chunk port', () => {
    const verdict = checkConnection(graph, library, {
      source: 'src',
      sourceHandle: 'out',
      target: 'enc',
      targetHandle: 'in',
    });
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringContaining('video') });
  });

  it('rejects a second edge into a single-valued input', () => {
    const fed: Graph = {
      ...graph,
      edges: [
        ...graph.edges,
        { id: 'e2', from: { node: 'merge', port: 'out' }, to: { node: 'split', port: 'in' } },
      ],
    };
    const verdict = checkConnection(fed, library, {
      source: 'src',
      sourceHandle: 'out',
      target: 'split',
      targetHandle: 'in',
    });
    expect(verdict.ok).toBe(false);
  });

  it("accepts a second video into a stream: a ladder's renditions", () => {
    const verdict = checkConnection(graph, library, {
      source: 'src',
      sourceHandle: 'out',
      target: 'out',
      targetHandle: 'in',
    });
    expect(verdict).toEqual({ ok: true });
  });

  it('rejects a self-loop and an input used as an output', () => {
    expect(
      checkConnection(graph, library, {
        source: 'enc',
        sourceHandle: 'out',
        target: 'enc',
        targetHandle: 'in',
      }).ok,
    ).toBe(false);
    expect(
      checkConnection(graph, library, {
        source: 'split',
        sourceHandle: 'in',
        target: 'enc',
        targetHandle: 'in',
      }).ok,
    ).toBe(false);
  });
});

describe('parameter forms from zod schemas', () => {
  it('shows numbers with their range and enums as options, with defaults', () => {
    const fields = paramFields(library.get('encode')!);
    const crf = fields.find((f) => f.name === 'crf');
    const codec = fields.find((f) => f.name === 'codec');
    expect(crf).toMatchObject({ kind: 'number', integer: true, min: 0 });
    expect(codec).toMatchObject({ kind: 'enum', options: expect.arrayContaining(['h264', 'vp9']) });
    expect(codec!.default).toBeDefined();
  });

  it('starts a new node with its defaults and reports a bad value by name', () => {
    const def = library.get('encode')!;
    const params = defaultParams(def);
    expect(paramErrors(def, params).size).toBe(0);
    expect(paramErrors(def, { ...params, crf: 'high' }).has('crf')).toBe(true);
  });
});
