import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { NodeTypeDef, Token } from '@reelflow/fbp-model';
import { chunkToken, compileNode, videoToken } from './testing.js';
import { nodeTypes } from './index.js';

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

describe.each(nodeTypes.map((def) => [def.type, def as NodeTypeDef] as const))(
  '%s',
  (_type, def) => {
    const names = Object.keys(shapeOf(def));

    it.each(names.flatMap((name) => HOSTILE.map((value) => [name, value])))(
      'rejects params.%s = %j',
      (name, value) => {
        expect(def.params.safeParse({ [name]: value }).success).toBe(false);
        expect(def.params.safeParse({ [name]: [value] }).success).toBe(false);
      },
    );

    it('keeps a hostile node id out of argv', () => {
      for (const id of HOSTILE) {
        const specs = compileNode(def, {}, { nodeId: id, runId: id, inputs: inputsFor(def) });
        for (const spec of specs) {
          for (const arg of spec.argv) expect(arg).not.toContain(id);
          for (const file of spec.files ?? []) expect(file.content).not.toContain(id);
          expect(spec.labels['reelflow.node']).toBe(id);
        }
      }
    });
  },
);
