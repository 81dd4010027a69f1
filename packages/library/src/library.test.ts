import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Calibration, NodeTypeDef } from '@reelflow/fbp-model';
import { library, nodeTypes } from './index.js';

const calibration: Calibration = {
  encodeSecondsPerSecond: 1,
  copySecondsPerSecond: 0.02,
  taskOverheadSeconds: 1,
};

describe('library', () => {
  it('knows the node types of CONTRACTS section 1 with their ports and firing', () => {
    const summary = Object.fromEntries(
      library
        .types()
        .map((d) => [
          d.type,
          { firing: d.firing, ports: d.ports.map((p) => `${p.direction}:${p.name}:${p.dataType}`) },
        ]),
    );
    expect(summary).toMatchObject({
      source: { firing: 'source', ports: ['out:out:video'] },
      split: { firing: 'fanout', ports: ['in:in:video', 'out:out:chunk'] },
      transfer: { firing: 'map', ports: ['in:in:chunk', 'out:out:chunk'] },
      encode: { firing: 'map', ports: ['in:in:chunk', 'out:out:chunk'] },
      merge: { firing: 'join', ports: ['in:in:chunk', 'out:out:video'] },
      stream: { firing: 'gather', ports: ['in:in:video', 'in:audio:audio'] },
      probe: { firing: 'sink', ports: ['in:in:video'] },
      quality: { firing: 'map', ports: ['in:in:chunk', 'out:out:chunk'] },
    });
    expect(library.get('merge')!.ports[0]!.multiplicity).toBe('many');
    expect(library.get('nope')).toBeUndefined();
  });

  it.each(nodeTypes.map((d) => [d.type, d as NodeTypeDef] as const))(
    '%s documents every parameter and parses {} to defaults',
    (_t, def) => {
      const shape = (def.params as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
      for (const [name, schema] of Object.entries(shape))
        expect(schema.description, name).toBeTruthy();
      expect(def.params.safeParse({}).success).toBe(true);
      // The JSON Schema the designer's property panel reads carries the ranges.
      expect(() => z.toJSONSchema(def.params, { io: 'input' })).not.toThrow();
    },
  );

  // Pass-through types (video filters) run no task: the encode running them is charged.
  const tasked = nodeTypes.filter((d) => d.type !== 'source' && !('passThrough' in d));

  it.each(tasked.map((d) => [d.type, d as NodeTypeDef] as const))(
    '%s costs no less for longer media and takes at least one core',
    (_t, def) => {
      const p = def.params.parse({});
      const short = def.estimateSeconds(p, { durationSeconds: 10 }, calibration);
      expect(short).toBeGreaterThan(0);
      // Only a probe reads headers alone, whatever the length.
      const longer = def.estimateSeconds(p, { durationSeconds: 20 }, calibration);
      if (def.type === 'probe') expect(longer).toBe(short);
      else expect(longer).toBeGreaterThan(short);
      expect(def.cores(p)).toBeGreaterThanOrEqual(1);
    },
  );

  it.each(tasked.map((d) => [d.type, d as NodeTypeDef] as const))(
    '%s pays the light-task overhead exactly when it is light',
    (_t, def) => {
      const p = def.params.parse({});
      const media = { durationSeconds: 10 };
      const nearby = { ...calibration, lightTaskOverheadSeconds: 0.05 };
      const saved =
        def.estimateSeconds(p, media, calibration) - def.estimateSeconds(p, media, nearby);
      expect(saved).toBeCloseTo(def.light ? 0.95 : 0, 9);
    },
  );

  it('marks the stream-copy node types light, and only them', () => {
    const light = nodeTypes.filter((d) => d.light).map((d) => d.type);
    expect(light.sort()).toEqual(['merge', 'split', 'stream', 'transfer']);
  });

  it('publishes ranges in the JSON Schema', () => {
    const schema = z.toJSONSchema(library.get('encode')!.params, { io: 'input' }) as {
      properties: Record<string, { minimum?: number; maximum?: number; default?: unknown }>;
    };
    expect(schema.properties.crf).toMatchObject({ minimum: 0, maximum: 63, default: 23 });
    expect(schema.properties.retries).toMatchObject({ minimum: 0, maximum: 10, default: 2 });
  });

  const examples = new URL('../../../examples/', import.meta.url);
  it.each(readdirSync(examples).filter((f) => f.endsWith('.reelflow.json')))(
    'accepts every node of examples/%s',
    (file) => {
      const graph = JSON.parse(readFileSync(new URL(file, examples), 'utf8')) as {
        nodes: { id: string; type: string; params?: unknown }[];
      };
      for (const node of graph.nodes) {
        const def = library.get(node.type);
        expect(def, node.type).toBeDefined();
        expect(def!.params.safeParse(node.params ?? {}).error, node.id).toBeUndefined();
      }
    },
  );
});
