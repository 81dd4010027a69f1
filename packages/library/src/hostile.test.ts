import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { NodeTypeDef, Token } from '@reelflow/fbp-model';
import { chunkToken, compileNode, videoToken } from './testing.js';
import { encode, nodeTypes, TEXT_PATTERN } from './index.js';

// Parameters reach argv only as enums and validated numbers; strings a user types must be
// rejected by the schema, and ids must never leak into argv unsanitized.
const HOSTILE = [
  '; rm -rf /',
  '$(x)',
  '`id`',
  'scale=1:1,drawtext',
  "x'\nfile '/etc/passwd",
  '-i /etc/passwd',
  '../../etc',
  'veryfast -vf drawtext',
];

const shapeOf = (def: NodeTypeDef): Record<string, z.ZodType> =>
  (def.params as unknown as z.ZodObject).shape;

function inputsFor(def: NodeTypeDef): Token[] {
  if (def.firing === 'join') return [chunkToken(0), chunkToken(1)];
  return def.ports.some((p) => p.direction === 'in' && p.dataType === 'chunk')
    ? [chunkToken(0)]
    : [videoToken()];
}

/** Parameters a node type needs besides its defaults to compile at all. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  watermark: { image: '0b7e4c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b' },
};

/**
 * What a firing of `def` compiles to. A video filter runs no task: its step rides on the
 * chunk and the encode after it compiles it, so that encode's argv is what must stay safe.
 */
function specsOf(def: NodeTypeDef, params: Record<string, unknown>, nodeId: string, runId: string) {
  const all = { ...REQUIRED[def.type], ...params };
  if (!def.passThrough) return compileNode(def, all, { nodeId, runId, inputs: inputsFor(def) });
  const step = {
    node: nodeId,
    type: def.type,
    params: def.params.parse(all) as Record<string, unknown>,
  };
  const token: Token = { ...chunkToken(0), filters: [step] };
  return compileNode(encode, {}, { nodeId: 'enc', runId, inputs: [token] });
}

/**
 * The one parameter that takes free text: burn-in text, held to TEXT_PATTERN (words of
 * `[A-Za-z0-9_.+-]`, single spaces). A value it admits is inert inside drawtext's text option.
 */
const FREE_TEXT = new Set(['text.text']);

describe.each(nodeTypes.map((def) => [def.type, def as NodeTypeDef] as const))(
  '%s',
  (_type, def) => {
    const names = Object.keys(shapeOf(def));

    it.each(names.flatMap((name) => HOSTILE.map((value) => [name, value])))(
      'rejects params.%s = %j',
      (name, value) => {
        expect(def.params.safeParse({ [name]: [value] }).success).toBe(false);
        const parsed = def.params.safeParse({ mode: 'text', [name]: value });
        if (FREE_TEXT.has(`${def.type}.${name}`) && TEXT_PATTERN.test(value)) {
          expect(parsed.success).toBe(true);
          const argv = specsOf(def, { mode: 'text', [name]: value }, 'n', 'run-1')[0]!.argv;
          const graph = argv[argv.indexOf('-vf') + 1]!;
          expect(graph.startsWith(`drawtext=expansion=none:text=${value}:fontsize=`)).toBe(true);
          expect(graph).not.toMatch(/[,;[\]'"\\]/);
          return;
        }
        expect(def.params.safeParse({ [name]: value }).success).toBe(false);
      },
    );

    it('keeps a hostile node id out of argv', () => {
      for (const id of HOSTILE) {
        const specs = specsOf(def, {}, id, id);
        expect(specs.length).toBeGreaterThan(def.type === 'source' ? -1 : 0);
        for (const spec of specs) {
          for (const arg of spec.argv) expect(arg).not.toContain(id);
          for (const file of spec.files ?? []) expect(file.content).not.toContain(id);
          expect(spec.labels['reelflow.node']).toBe(def.passThrough ? 'enc' : id);
        }
      }
    });
  },
);
