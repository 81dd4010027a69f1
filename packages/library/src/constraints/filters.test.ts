import { describe, expect, it } from 'vitest';
import { createLibrary, type Graph, type GraphNode } from '@reelflow/fbp-model';
import {
  edge,
  expectError,
  expectNoIssue,
  expectNoIssues,
  expectWarning,
  graphOf,
  node,
  parseConstraints,
  validateGraph,
} from '@reelflow/semantics';
import { nodeTypes } from '../index.js';
import { NODE_TYPE_CONSTRAINTS, withConstraints } from './index.js';

const library = createLibrary(withConstraints(nodeTypes));
const validate = (g: Graph) => validateGraph(g, library);
const IMAGE = '0b7e4c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b';

/** source → split → `middle`… (in order) → merge → stream. */
function chain(middle: GraphNode[], split: Record<string, unknown> = {}): Graph {
  const nodes = [
    node('src', 'source'),
    node('split', 'split', split),
    ...middle,
    node('merge', 'merge'),
    node('out', 'stream'),
  ];
  const edges = nodes
    .slice(1)
    .map((n, i) => edge(`e${i + 1}`, `${nodes[i]!.id}.out`, `${n.id}.in`));
  return graphOf(nodes, edges);
}

describe('video filter rules', () => {
  it('parse without syntax errors', () => {
    for (const [type, text] of Object.entries(NODE_TYPE_CONSTRAINTS))
      expect(parseConstraints(text, `${type}.ocl`).diagnostics).toEqual([]);
  });

  it('find nothing wrong with filters feeding an encode', () => {
    expectNoIssues(
      validate(
        chain([
          node('scale', 'scale', { width: 1280 }),
          node('crop', 'crop', { width: 640, height: 360 }),
          node('pad', 'pad', { width: 1280, height: 720 }),
          node('dn', 'denoise'),
          node('wm', 'watermark', { image: IMAGE }),
          node('tc', 'text'),
          node('enc', 'encode'),
        ]),
      ),
    );
  });

  it('filter-without-encode: a filter feeding a merge directly', () => {
    const ds = validate(chain([node('enc', 'encode'), node('scale', 'scale', { width: 640 })]));
    expectError(ds, 'filter-without-encode', {
      element: 'scale',
      message: /scale scale must feed an encode.*but it feeds merge/,
    });
  });

  it('filter-without-encode: through a transfer, which only copies', () => {
    const ds = validate(
      chain([node('crop', 'crop'), node('xfer', 'transfer'), node('enc', 'encode')]),
    );
    expectError(ds, 'filter-without-encode', { element: 'crop', message: /feeds xfer/ });
  });

  it('filter-without-encode: a filter that feeds nothing', () => {
    const g = chain([node('enc', 'encode')]);
    g.nodes.push(node('lost', 'scale'));
    g.edges.push(edge('ex', 'split.out', 'lost.in'));
    expectError(validate(g), 'filter-without-encode', { element: 'lost', message: /nothing/ });
  });

  it('chunk-unsafe-filter warns about fps and deinterlace on chunks', () => {
    const ds = validate(
      chain([node('rate', 'fps'), node('di', 'deinterlace'), node('enc', 'encode')]),
    );
    expectWarning(ds, 'chunk-unsafe-filter', {
      element: 'rate',
      message: /restarts at each chunk/,
    });
    expectWarning(ds, 'chunk-unsafe-filter', { element: 'di', message: /neighbouring fields/ });
    expect(ds.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('chunk-unsafe-filter warns about denoise only when temporal', () => {
    expectNoIssue(
      validate(chain([node('dn', 'denoise'), node('enc', 'encode')])),
      'chunk-unsafe-filter',
    );
    expectWarning(
      validate(chain([node('dn', 'denoise', { temporal: true }), node('enc', 'encode')])),
      'chunk-unsafe-filter',
      { element: 'dn' },
    );
  });

  it('treats a timecode as chunk-safe (it is offset by the chunk start)', () => {
    expectNoIssue(
      validate(chain([node('tc', 'text'), node('enc', 'encode')])),
      'chunk-unsafe-filter',
    );
  });

  it('whole-video-after-split: wholeVideo needs a one-segment split, and then warns no more', () => {
    const cut = validate(chain([node('rate', 'fps', { wholeVideo: true }), node('enc', 'encode')]));
    expectError(cut, 'whole-video-after-split', { element: 'rate', message: /split split cuts/ });
    expectNoIssue(cut, 'chunk-unsafe-filter');
    expectNoIssues(
      validate(
        chain([node('rate', 'fps', { wholeVideo: true }), node('enc', 'encode')], {
          segments: 1,
        }),
      ),
    );
  });

  it('watermark-image-missing: a watermark without an image', () => {
    expectError(
      validate(chain([node('wm', 'watermark'), node('enc', 'encode')])),
      'watermark-image-missing',
      { element: 'wm' },
    );
  });
});
