import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toDot } from './dot.js';
import { fromFbpJson, looksLikeFbpJson, toFbpJson } from './fbp-json.js';
import { loadGraph } from './load.js';

const example = loadGraph(
  JSON.parse(
    readFileSync(
      new URL('../../../examples/transcode-720p.reelflow.json', import.meta.url),
      'utf8',
    ),
  ),
).graph!;

describe('NoFlo FBP JSON', () => {
  it('exports processes, connections and positions in metadata', () => {
    const fbp = toFbpJson(example);
    expect(fbp.processes.enc).toEqual({
      component: 'encode',
      metadata: {
        params: { codec: 'h264', preset: 'veryfast', crf: 23, height: 720 },
        x: 600,
        y: 0,
      },
    });
    expect(fbp.connections[0]).toEqual({
      src: { process: 'src', port: 'out' },
      tgt: { process: 'split', port: 'in' },
      metadata: { id: 'e1' },
    });
    expect(fbp.properties).toMatchObject({ name: example.name, id: example.id });
    expect(looksLikeFbpJson(fbp)).toBe(true);
    expect(looksLikeFbpJson(example)).toBe(false);
  });

  it('round-trips to an equal graph, extra keys and labels included', () => {
    const graph = {
      ...example,
      owner: 'studio-b',
      nodes: example.nodes.map((n, i) => (i === 0 ? { ...n, label: 'Camera A' } : n)),
    };
    const back = fromFbpJson(JSON.parse(JSON.stringify(toFbpJson(graph))));
    expect(back.diagnostics).toEqual([]);
    expect(back.graph).toEqual(graph);
  });

  it('turns initial information packets into params', () => {
    const result = fromFbpJson({
      properties: { name: 'iip' },
      processes: { enc: { component: 'encode' } },
      connections: [{ data: 28, tgt: { process: 'enc', port: 'crf' } }],
    });
    expect(result.graph?.nodes[0]!.params).toEqual({ crf: 28 });
  });

  it('reports a broken FBP document as schema diagnostics instead of throwing', () => {
    const result = fromFbpJson({
      processes: { a: { component: 3 } },
      connections: [{ src: {}, tgt: {} }],
    });
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(fromFbpJson('nope').diagnostics[0]!.code).toBe('schema');
  });
});

describe('Graphviz DOT', () => {
  it('exports every node and edge, quoting ids', () => {
    const dot = toDot({
      ...example,
      nodes: [...example.nodes, { id: 'we"ird', type: 'stream', params: {} }],
    });
    expect(dot).toMatch(/^digraph "transcode-720p" \{/);
    expect(dot).toContain('"src" -> "split"');
    expect(dot).toContain('"we\\"ird"');
    expect(dot.match(/->/g)).toHaveLength(example.edges.length);
  });
});
