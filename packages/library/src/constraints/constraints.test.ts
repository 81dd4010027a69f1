import { describe, expect, it } from 'vitest';
import { createLibrary, loadGraph, type Graph } from '@reelflow/fbp-model';
import {
  createTestLibrary,
  edge,
  exampleGraph,
  expectError,
  expectNoIssue,
  expectNoIssues,
  graphOf,
  node,
  parseConstraints,
  validateGraph,
} from '@reelflow/semantics';
import { nodeTypes } from '../index.js';
import {
  MERGE_CONSTRAINTS,
  NODE_TYPE_CONSTRAINTS,
  STREAM_CONSTRAINTS,
  withConstraints,
} from './index.js';

// The semantics test library (same types and ports as ours) with our constraints attached:
// the rules are tested apart from the real node types' parameter schemas.
const library = createTestLibrary([], NODE_TYPE_CONSTRAINTS);
const validate = (g: Graph) => validateGraph(g, library);

/** The example graph with encode codec, merge container and stream format set. */
function transcode(codec: string, container: string, format: string): Graph {
  const g = structuredClone(exampleGraph());
  for (const n of g.nodes) {
    if (n.type === 'encode') n.params.codec = codec;
    if (n.type === 'merge') n.params.container = container;
    if (n.type === 'stream') n.params.format = format;
  }
  return g;
}

/** Two sources, each split and encoded, both feeding one merge. */
function twoSplitsOneMerge(): Graph {
  return graphOf(
    [
      node('srcA', 'source'),
      node('srcB', 'source'),
      node('splitA', 'split'),
      node('splitB', 'split'),
      node('encA', 'encode'),
      node('xferB', 'transfer'),
      node('encB', 'encode'),
      node('merge', 'merge'),
      node('out', 'stream'),
    ],
    [
      edge('a1', 'srcA.out', 'splitA.in'),
      edge('a2', 'splitA.out', 'encA.in'),
      edge('a3', 'encA.out', 'merge.in'),
      edge('b1', 'srcB.out', 'splitB.in'),
      edge('b2', 'splitB.out', 'xferB.in'),
      edge('b3', 'xferB.out', 'encB.in'),
      edge('b4', 'encB.out', 'merge.in'),
      edge('m', 'merge.out', 'out.in'),
    ],
  );
}

describe('built-in library constraints', () => {
  it('parse without syntax errors', () => {
    expect(parseConstraints(MERGE_CONSTRAINTS).diagnostics).toEqual([]);
    expect(parseConstraints(STREAM_CONSTRAINTS).diagnostics).toEqual([]);
  });

  it('find nothing wrong with the example graph', () => {
    expectNoIssues(validate(exampleGraph()));
  });

  describe('split-merge-mismatch', () => {
    it('reports a merge fed by the chunks of two splits, through transfer and encode', () => {
      const d = expectError(validate(twoSplitsOneMerge()), 'split-merge-mismatch', {
        kind: 'node',
        element: 'merge',
      });
      expect(d.message).toBe(
        'merge merge receives chunks from 2 splits (splitA, splitB); all chunks of a merge must come from one split',
      );
    });

    it('accepts parallel branches of one split joined by one merge', () => {
      const g = twoSplitsOneMerge();
      g.nodes = g.nodes.filter((n) => n.id !== 'srcB' && n.id !== 'splitB');
      g.edges = g.edges.filter((e) => e.id !== 'b1');
      g.edges = g.edges.map((e) => (e.id === 'b2' ? edge('b2', 'splitA.out', 'xferB.in') : e));
      expectNoIssues(validate(g));
    });

    it('stops at a split, so a merge after a re-split sees only the nearest split', () => {
      // src → split1 → enc → merge1 → split2 → enc2 → merge2 → stream
      const g = graphOf(
        [
          node('src', 'source'),
          node('split1', 'split'),
          node('enc1', 'encode'),
          node('merge1', 'merge'),
          node('split2', 'split'),
          node('enc2', 'encode'),
          node('merge2', 'merge'),
          node('out', 'stream'),
        ],
        [
          edge('e1', 'src.out', 'split1.in'),
          edge('e2', 'split1.out', 'enc1.in'),
          edge('e3', 'enc1.out', 'merge1.in'),
          edge('e4', 'merge1.out', 'split2.in'),
          edge('e5', 'split2.out', 'enc2.in'),
          edge('e6', 'enc2.out', 'merge2.in'),
          edge('e7', 'merge2.out', 'out.in'),
        ],
      );
      expectNoIssues(validate(g));
    });
  });

  describe('codec-container-mismatch', () => {
    it('reports H.264 chunks merged into WebM, following the chunks back through a transfer', () => {
      const d = expectError(
        validate(transcode('h264', 'webm', 'dash')),
        'codec-container-mismatch',
        { element: 'merge' },
      );
      expect(d.message).toBe(
        'merge merge writes webm, which cannot carry h264 (encoded by enc); choose a container for that codec, or another codec',
      );
    });

    it('accepts each codec in each container and format of the table', () => {
      const fits: [string, string, string][] = [
        ['h264', 'mp4', 'hls'],
        ['h265', 'mkv', 'hls'],
        ['vp9', 'webm', 'dash'],
        ['av1', 'mp4', 'dash'],
        ['vp9', 'mkv', 'dash'],
      ];
      for (const [codec, container, format] of fits)
        expectNoIssues(validate(transcode(codec, container, format)));
    });

    it('reports a stream format that cannot carry the codec written upstream of the merge', () => {
      const ds = validate(transcode('vp9', 'mkv', 'hls'));
      expectError(ds, 'codec-container-mismatch', {
        element: 'out',
        message: /stream out packages hls, which cannot carry vp9 \(encoded by enc\)/,
      });
      expect(ds.filter((d) => d.code === 'codec-container-mismatch')).toHaveLength(1);
    });

    it('checks nothing when no encode is upstream (the source codec is unknown)', () => {
      const g = transcode('vp9', 'webm', 'hls');
      g.nodes = g.nodes.filter((n) => n.id !== 'enc');
      g.edges = g.edges.filter((e) => e.id !== 'e3' && e.id !== 'e4');
      g.edges.push(edge('e34', 'xfer.out', 'back.in'));
      expectNoIssue(validate(g), 'codec-container-mismatch');
    });
  });
});

describe('the real node types with their constraints', () => {
  const real = createLibrary(withConstraints(nodeTypes));

  it('finds nothing wrong with examples/transcode-720p.reelflow.json', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(
      new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
      'utf8',
    );
    const loaded = loadGraph(JSON.parse(text));
    expect(loaded.diagnostics).toEqual([]);
    expectNoIssues(validateGraph(loaded.graph as Graph, real));
  });

  it('reports the same mismatches as with the test library', () => {
    expectError(
      validateGraph(transcode('h264', 'webm', 'dash'), real),
      'codec-container-mismatch',
      { element: 'merge' },
    );
    expectError(validateGraph(twoSplitsOneMerge(), real), 'split-merge-mismatch', {
      element: 'merge',
    });
  });
});

describe('ladder-misaligned (with the real node types)', () => {
  const real = createLibrary(withConstraints(nodeTypes));
  /** source → split → encode per rung → merge per rung → one stream. */
  function ladder(keyframes: number[], segmentSeconds = 4): Graph {
    const nodes = [
      node('src', 'source'),
      node('split', 'split'),
      node('out', 'stream', { segmentSeconds }),
    ];
    const edges = [edge('e0', 'src.out', 'split.in')];
    keyframes.forEach((k, i) => {
      nodes.push(node(`enc${i}`, 'encode', { height: 360 + 360 * i, keyframeSeconds: k }));
      nodes.push(node(`m${i}`, 'merge'));
      edges.push(edge(`a${i}`, 'split.out', `enc${i}.in`));
      edges.push(edge(`b${i}`, `enc${i}.out`, `m${i}.in`));
      edges.push(edge(`c${i}`, `m${i}.out`, 'out.in'));
    });
    return graphOf(nodes, edges);
  }
  const check = (g: Graph) => validateGraph(g, real);

  it('accepts renditions with one keyframe interval that divides the segments', () => {
    expectNoIssues(check(ladder([2, 2, 2], 4)));
    expectNoIssue(check(ladder([1, 1], 3)), 'ladder-misaligned');
  });

  it('reports encodes with different keyframeSeconds', () => {
    const d = expectError(check(ladder([2, 2, 4], 4)), 'ladder-misaligned', { element: 'out' });
    expect(d.message).toBe(
      'stream out gathers renditions whose encodes put keyframes every 2, 4 s (enc0, enc1, enc2); segments align across renditions only with one keyframeSeconds for every encode',
    );
  });

  it('reports segments that are not a multiple of the keyframe interval', () => {
    const d = expectError(check(ladder([3, 3], 4)), 'ladder-misaligned', { element: 'out' });
    expect(d.message).toBe(
      'stream out cuts 4 s segments, which is not a multiple of keyframeSeconds of enc0, enc1; segments could not cut at the same keyframes in every rendition',
    );
  });

  it('leaves a single rendition alone', () => {
    expectNoIssue(check(ladder([3], 4)), 'ladder-misaligned');
  });
});
