/**
 * Issue 8 item 6, parameters: hostile values for every parameter of every node type either
 * fail validation (422 from POST /api/runs) or compile to an argv in which nothing a person
 * typed can act as a shell metacharacter, an extra ffmpeg option or a filter-graph piece.
 * Tasks are spawned without a shell (executors/local.ts, swarm services take argv), so the
 * danger is ffmpeg's own little languages: filter graphs, expressions, concat lists.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUZZ } from '../../../../packages/semantics/test/fuzz/settings.js';
import type { NodeTypeDef, TaskSpec, Token } from '@reelflow/fbp-model';
import { library, PLACEMENT_PATTERN, TEXT_PATTERN } from '@reelflow/library';
import type { z } from 'zod';
import { makeClip, RecordingExecutorStub } from '../../src/server/test-helpers.js';
import { call, example, startRuntime, uploadFile, type TestRuntime } from '../limits/helpers.js';

/** Options whose value ffmpeg parses as a filter graph or an expression. */
const FILTER_OPTIONS = new Set([
  '-vf',
  '-af',
  '-lavfi',
  '-filter_complex',
  '-filter:v',
  '-filter:a',
  '-force_key_frames',
]);
/** Filters the library may put in a graph; anything else in one was smuggled in. */
const KNOWN_FILTERS = new Set([
  'scale',
  'format',
  'hwupload',
  'aresample',
  'setpts',
  'scale2ref',
  'split',
  'psnr',
  'ssim',
  'fps',
  'pad',
  'crop',
  'null',
  'anull',
  // The video filter node types' (fused into the encode after them).
  'drawtext',
  'overlay',
  'colorchannelmixer',
  'bwdif',
  'hqdn3d',
  'nlmeans',
  // The audio, thumbnails and check node types'.
  'loudnorm',
  'pan',
  'aformat',
  'select',
  'metadata',
  'setsar',
  'tile',
]);
/**
 * The one escape the library writes itself: drawtext's timecode `%{pts\\:hms\\:OFFSET}`,
 * its colons escaped for the graph and for drawtext's option list; OFFSET is a number.
 */
const TIMECODE = /%\{pts\\\\:hms\\\\:\d+(\.\d+)?\}/g;
/**
 * The one quoted expression the library writes: the thumbnails' frame pick every N seconds,
 * quoted for its commas; N is a number.
 */
const THUMB_PICK =
  /select='isnan\(prev_selected_t\)\+gt\(floor\(t\/\d+(\.\d+)?\),floor\(prev_selected_t\/\d+(\.\d+)?\)\)'/g;
/** The one parameter that takes free text (burn-in text, held to TEXT_PATTERN). */
const FREE_TEXT = new Set(['text.text']);
/** Characters that mean something to a shell, ffmpeg's option parser or a filter graph. */
const META = /[;|&$`'"\\<>(){}[\]=:,*?!#~%\s]/;
/** Any control character (a newline ends a concat-list line or an option). */
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20);

const HOSTILE_STRINGS = [
  '; rm -rf /',
  '$(id)',
  '`id`',
  '| nc 127.0.0.1 1',
  '&& id',
  '> /etc/passwd',
  'scale=1:1,drawtext=text=x',
  'null[x];movie=/etc/passwd[y]',
  "x'\nfile '/etc/passwd",
  '-i /etc/passwd',
  '-f lavfi',
  '--',
  '-y',
  '../../etc',
  'veryfast -vf drawtext',
  'h264;',
  'h264\n',
  ' h264',
  'H264',
  'fast\u0000',
  '%s%n',
  '${IFS}',
  'node.role==worker;rm',
  'node.labels.a==b\nnode.id==x',
  '1e309',
  'NaN',
  '-1',
  '0x10',
];

/** Anything: the hostile strings, random strings heavy in metacharacters, odd numbers and shapes. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({
    unit: fc.constantFrom(...';|&$`\'"\\<>(){}[]=:,* \n-./aAz09%'.split('')),
    maxLength: 24,
  }),
  fc.string({ maxLength: 16 }),
  fc.double(),
  fc.integer({ min: -1e12, max: 1e12 }),
  fc.constantFrom(Infinity, -Infinity, NaN, -0, 1e308, 2 ** 53, 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom(...HOSTILE_STRINGS), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor'), fc.string(), { maxKeys: 2 }),
);

const defs = library.types() as NodeTypeDef[];
const shapeOf = (def: NodeTypeDef) =>
  (def.params as unknown as z.ZodObject).shape as Record<string, z.ZodType>;

function chunk(index: number): Token {
  return {
    id: `split:0/${index}`,
    dataType: 'chunk',
    path: `work/split/chunk_${String(index).padStart(5, '0')}.ts`,
    via: 'shared',
    group: { id: 'split#0', origin: 'split', index, count: 2 },
    startSeconds: index * 4,
    durationSeconds: 4,
  };
}
const VIDEO: Token = {
  id: 'src',
  dataType: 'video',
  path: 'input/source.mp4',
  durationSeconds: 8,
  codec: 'h264',
};

function inputsFor(def: NodeTypeDef): Token[] {
  if (def.firing === 'join') return [chunk(0), chunk(1)];
  return def.ports.some((p) => p.direction === 'in' && p.dataType === 'chunk')
    ? [chunk(0)]
    : [VIDEO];
}

/** Parameters a node type needs besides its defaults to compile at all. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  watermark: { image: '0b7e4c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b' },
};

/**
 * Compile one firing of `def` the way the orchestrator does. A video filter runs no task: the
 * engine leaves its step on the chunk and the encode after it compiles the filter, so that
 * encode (with default parameters) is what is compiled for it.
 */
function compile(def: NodeTypeDef, raw: unknown): TaskSpec[] {
  const params = { ...REQUIRED[def.type], ...(raw as Record<string, unknown>) };
  const inputs = def.passThrough
    ? [
        {
          ...chunk(0),
          filters: [
            {
              node: 'n',
              type: def.type,
              params: def.params.parse(params) as Record<string, unknown>,
            },
          ],
        },
      ]
    : inputsFor(def);
  const target = def.passThrough ? library.get('encode')! : def;
  return target.compile({
    runId: 'run-1',
    node: { id: 'n', type: target.type, params: def.passThrough ? {} : params },
    params: target.params.parse(def.passThrough ? {} : params),
    inputs,
    index: 0,
    storage: { root: '/data', httpBase: 'http://127.0.0.1:1/api/runs/run-1/files' },
    image: 'reelflow/ffmpeg:local',
  });
}

/** The filter names of a filter graph (`[in]name=args[out];...`). */
function filterNames(graph: string): string[] {
  return graph
    .split(/[;,](?![^(]*\))/)
    .map((f) =>
      f
        .replace(/^(\[[^\]]*\])+/, '')
        .split('=')[0]!
        .replace(/(\[[^\]]*\])+$/, ''),
    )
    .filter(Boolean);
}

/** What must hold of every task a node compiles to, whatever its accepted parameters. */
function expectSafeSpecs(
  def: NodeTypeDef,
  specs: TaskSpec[],
  value: unknown,
  baseline: TaskSpec[],
  freeText = false,
): void {
  // Free text that TEXT_PATTERN admits is checked by where it lands (drawtext's text), below.
  const typed = typeof value === 'string' && !freeText ? value : undefined;
  for (const spec of specs) {
    expect(['ffmpeg', 'ffprobe', 'cp']).toContain(spec.argv[0]);
    // A byte copy names exactly two absolute run paths, after `--`.
    if (spec.argv[0] === 'cp') {
      expect(spec.argv).toHaveLength(4);
      expect(spec.argv[1]).toBe('--');
      expect(spec.argv.slice(2).every((arg) => arg.startsWith('/'))).toBe(true);
    }
    expect(spec.image).toBe('reelflow/ffmpeg:local');
    spec.argv.forEach((arg, i) => {
      expect(hasControl(arg)).toBe(false);
      // Something a person typed with a metacharacter in it never reaches argv.
      if (typed !== undefined && (META.test(typed) || hasControl(typed)) && typed.length > 1)
        expect(arg).not.toContain(typed);
      const option = spec.argv[i - 1];
      if (option === '-force_key_frames') {
        // An expression: only its numbers may differ from the default one.
        const shape = (s: string) => s.replace(/\d+(\.\d+)?/g, 'N');
        const base = baseline[0]!.argv[baseline[0]!.argv.indexOf('-force_key_frames') + 1]!;
        expect(shape(arg)).toBe(shape(base));
      } else if (option !== undefined && FILTER_OPTIONS.has(option)) {
        for (const name of filterNames(arg.replace(THUMB_PICK, 'select=S')))
          expect([arg, KNOWN_FILTERS.has(name)]).toEqual([arg, true]);
        expect(arg.replace(TIMECODE, 'T').replace(THUMB_PICK, 'S')).not.toMatch(/['"\\\n]/);
        if (freeText && typeof value === 'string' && arg.includes(value))
          expect(arg).toContain(`:text=${value}:`);
      }
    });
    // Files a task reads (concat lists) keep their line structure.
    for (const file of spec.files ?? []) {
      for (const line of file.content.split('\n').filter(Boolean)) {
        expect(line).toMatch(
          /^(file '[^'\n]*'|duration \d+(\.\d+)?|inpoint \d+(\.\d+)?|outpoint \d+(\.\d+)?|ffconcat version 1\.0)$/,
        );
      }
    }
  }
}

describe('every parameter of every node type, given hostile values (compile path)', () => {
  const cases = defs.flatMap((def) =>
    Object.keys(shapeOf(def)).map((name) => [def.type, name] as const),
  );

  it('covers every parameter of every node type', () => {
    expect(defs.map((d) => d.type).sort()).toEqual(
      [
        'encode',
        'merge',
        'probe',
        'quality',
        'source',
        'split',
        'stream',
        'transfer',
        'scale',
        'crop',
        'pad',
        'fps',
        'deinterlace',
        'denoise',
        'watermark',
        'text',
        'audio',
        'thumbnails',
        'check',
      ].sort(),
    );
    expect(cases.length).toBeGreaterThan(30);
  });

  it('has a checker that catches an injected filter, option, expression or concat line', () => {
    const def = library.get('encode')!;
    const baseline = compile(def, {});
    const spec = baseline[0]!;
    const tampered = (argv: string[], files?: TaskSpec['files']): TaskSpec[] => [
      { ...spec, argv, ...(files ? { files } : {}) },
    ];
    const keyframes = spec.argv.indexOf('-force_key_frames') + 1;
    const bad: TaskSpec[][] = [
      tampered([...spec.argv.slice(0, -1), '-vf', 'scale=1:1,subtitles=x', spec.argv.at(-1)!]),
      // drawtext is a known filter now; text that escapes its option is still caught.
      tampered([
        ...spec.argv.slice(0, -1),
        '-vf',
        "drawtext=text='a':textfile=/etc/passwd",
        spec.argv.at(-1)!,
      ]),
      tampered([
        ...spec.argv.slice(0, -1),
        '-lavfi',
        'null[x];movie=/etc/passwd',
        spec.argv.at(-1)!,
      ]),
      tampered(spec.argv.map((a, i) => (i === keyframes ? `${a}+st(0,1)` : a))),
      tampered(['sh', '-c', 'id']),
      tampered(
        [...spec.argv],
        [{ path: 'work/n/concat.txt', content: "file 'a'\nfile '/etc/passwd'\n;id\n" }],
      ),
    ];
    for (const specs of bad)
      expect(() => expectSafeSpecs(def, specs, undefined, baseline)).toThrow();
    expect(() => expectSafeSpecs(def, baseline, undefined, baseline)).not.toThrow();
  });

  it.each(cases)('%s.%s: refused, or compiled to a safe argv (property)', (type, name) => {
    const def = library.get(type)!;
    const baseline = compile(def, {});
    let accepted = 0;
    fc.assert(
      fc.property(hostile, (value) => {
        const freeText = FREE_TEXT.has(`${type}.${name}`);
        // Free text counts only in text mode.
        const given = freeText ? { mode: 'text', [name]: value } : { [name]: value };
        const parsed = def.params.safeParse(given);
        if (!parsed.success) return;
        accepted++;
        const kept = (parsed.data as Record<string, unknown>)[name];
        if (typeof kept === 'string')
          expect(kept).toMatch(freeText ? TEXT_PATTERN : /^[A-Za-z0-9_.+-]*$/);
        if (typeof kept === 'number') expect(Number.isFinite(kept)).toBe(true);
        if (name === 'placement') {
          for (const p of kept as string[]) expect(p).toMatch(PLACEMENT_PATTERN);
        }
        expectSafeSpecs(def, compile(def, given), value, baseline, freeText);
      }),
      { numRuns: 150, seed: FUZZ.seed },
    );
    // Most hostile values must have been refused outright.
    expect(accepted).toBeLessThan(150);
  });
});

describe('POST /api/runs with hostile parameters', () => {
  let rt: TestRuntime;
  let input: string;
  let fixtures: string;
  beforeAll(async () => {
    fixtures = mkdtempSync(join(tmpdir(), 'reelflow-params-'));
    await makeClip(join(fixtures, 'clip.mp4'), { seconds: 1, size: '160x120' });
    rt = await startRuntime({}, new RecordingExecutorStub());
    input = await uploadFile(rt.url, join(fixtures, 'clip.mp4'));
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(fixtures, { recursive: true, force: true });
  });

  it('answers 422 naming the parameter, or accepts only a value the compile path shows safe (property)', async () => {
    const nodeParam = fc.constantFrom(
      ...example.nodes.flatMap((n) =>
        Object.keys(shapeOf(library.get(n.type)!)).map((p) => [n.id, n.type, p] as const),
      ),
    );
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(
        nodeParam,
        fc.constantFrom(...HOSTILE_STRINGS),
        async ([nodeId, type, name], value) => {
          const graph = {
            ...example,
            nodes: example.nodes.map((n) =>
              n.id === nodeId ? { ...n, params: { ...n.params, [name]: value } } : n,
            ),
          };
          const res = await call(rt.url, 'POST', '/api/runs', { body: { graph, input } });
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 422) {
            const diagnostics = res.json.diagnostics as {
              code: string;
              element: { id: string };
              property?: string;
            }[];
            expect(diagnostics).toContainEqual(
              expect.objectContaining({
                code: 'param-invalid',
                element: expect.objectContaining({ id: nodeId }),
              }),
            );
            return;
          }
          expect(res.status).toBe(202);
          const def = library.get(type)!;
          expectSafeSpecs(
            def,
            compile(def, { ...example.nodes.find((n) => n.id === nodeId)!.params, [name]: value }),
            value,
            compile(def, {}),
          );
          await call(rt.url, 'POST', `/api/runs/${String(res.json.runId)}/cancel`);
        },
      ),
      { numRuns: 120, seed: FUZZ.seed },
    );
    // Every hostile string is refused: no parameter takes free text.
    expect(statuses).toEqual({ 422: 120 });
  });

  it('keeps the database readable afterwards', async () => {
    expect((await call(rt.url, 'GET', '/api/runs')).status).toBe(200);
    expect(readFileSync(join(rt.dir, 'reelflow.db')).subarray(0, 15).toString()).toBe(
      'SQLite format 3',
    );
  });
});
