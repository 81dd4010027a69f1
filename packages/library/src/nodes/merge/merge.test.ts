import { describe, expect, it } from 'vitest';
import { chunkToken, compileNode } from '../../testing.js';
import { concatQuote, merge } from './index.js';

const chunks = [2, 0, 1].map((i) => chunkToken(i, 3, { path: `work/back/chunk_0000${i}.ts` }));
const compile = (params: unknown, inputs = chunks, storage?: { root: string; httpBase?: string }) =>
  compileNode(merge, params, { nodeId: 'merge', inputs, ...(storage ? { storage } : {}) })[0]!;

describe('merge', () => {
  it('defaults to mp4, not incremental', () => {
    expect(merge.params.parse({})).toMatchObject({
      container: 'mp4',
      incremental: false,
      retries: 2,
    });
  });

  it('joins with the concat demuxer and stream copy into an mp4 with its index up front', () => {
    const spec = compile({});
    // prettier-ignore
    expect(spec.argv).toEqual([
      'ffmpeg', '-hide_banner', '-nostdin', '-y',
      '-f', 'concat', '-safe', '0', '-i', '/run/work/merge/concat.txt',
      '-map', '0', '-c', 'copy', '-movflags', '+faststart',
      '-progress', 'pipe:1', '-nostats',
      '-f', 'mp4', '/run/work/merge/output.mp4',
    ]);
    expect(spec.outputs).toEqual([
      { kind: 'file', path: 'work/merge/output.mp4', dataType: 'video' },
    ]);
    expect(spec.durationSeconds).toBe(30);
  });

  it('lists the chunks in group order with their source durations, for the runtime to write', () => {
    const spec = compile({});
    expect(spec.files).toEqual([
      {
        path: 'work/merge/concat.txt',
        content: [0, 1, 2]
          .map((i) => `file '/run/work/back/chunk_0000${i}.ts'\nduration 10\n`)
          .join(''),
      },
    ]);
    expect(spec.inputs.map((t) => t.group!.index)).toEqual([0, 1, 2]);
  });

  it.each([
    ['mkv', 'matroska'],
    ['webm', 'webm'],
  ])('writes %s with the %s muxer and no mp4 flags', (container, muxer) => {
    const argv = compile({ container }).argv;
    expect(argv.slice(-3)).toEqual(['-f', muxer, `/run/work/merge/output.${container}`]);
    expect(argv).not.toContain('-movflags');
  });

  it('ignores `incremental` in compile (the runtime publishes the live playlist)', () => {
    expect(compile({ incremental: true }).argv).toEqual(compile({ incremental: false }).argv);
  });

  it('over HTTP: reads the list and chunks as URLs and uploads a fragmented mp4', () => {
    const inputs = chunks.map((t) => ({ ...t, via: 'http' as const }));
    const spec = compile({}, inputs);
    expect(spec.argv).toEqual(
      expect.arrayContaining(['-protocol_whitelist', 'file,http,https,tcp,tls,crypto']),
    );
    expect(spec.argv).toEqual(
      expect.arrayContaining(['-movflags', '+frag_keyframe+empty_moov+default_base_moof']),
    );
    expect(spec.argv.slice(-3)).toEqual([
      '-method',
      'PUT',
      'http://127.0.0.1:8080/api/runs/run-1/files/work/merge/output.mp4',
    ]);
    expect(spec.files![0]!.content).toContain(
      "file 'http://127.0.0.1:8080/api/runs/run-1/files/work/back/chunk_00000.ts'",
    );
  });

  it('quotes list entries so a quote in the root cannot end the entry', () => {
    expect(concatQuote("/data/it's")).toBe("'/data/it'\\''s'");
    const spec = compile({}, chunks, { root: "/data/it's" });
    expect(spec.files![0]!.content).toContain("file '/data/it'\\''s/work/back/chunk_00000.ts'");
  });

  it('refuses an empty firing', () => {
    expect(() => compile({}, [])).toThrow(/no chunks/);
  });
});
