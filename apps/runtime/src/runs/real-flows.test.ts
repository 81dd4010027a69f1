/**
 * The audio, thumbnails and check nodes on real video with the local executor: a clapper clip
 * (a white flash and a 1 kHz beep every 2 s) through audio + split/encode/merge → check, its
 * loudness measured with ebur128, a 5.1 input downmixed to stereo beside a thumbnail track, an
 * input without audio (skipped, or refused when required), and a check failing on a truncated
 * output. Real ffmpeg and ffprobe; nothing is mocked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibrary, type NodeTypeDef, type RunView } from '@reelflow/fbp-model';
import { nodeTypes, taskParams, LABEL_VIA } from '@reelflow/library';
import { createRuntime, type Runtime } from '../server/runtime.js';
import { makeClip } from '../server/test-helpers.js';
import { openTestExecutor } from './test-executors.js';
import type { Executor } from '../executors/types.js';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const sh = promisify(execFile);
const FPS = 25;
const FRAME = 1 / FPS;

/** ffmpeg's log (stderr) of a command. */
async function ffmpegLog(args: string[]): Promise<string> {
  const { stderr } = await sh('ffmpeg', ['-hide_banner', '-nostdin', ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stderr;
}

/** Times of white flash frames: black intervals of the negated picture. */
async function flashTimes(video: string): Promise<number[]> {
  const log = await ffmpegLog([
    '-i',
    video,
    '-an',
    '-vf',
    'negate,blackdetect=d=0:pix_th=0.2',
    '-f',
    'null',
    '-',
  ]);
  return [...log.matchAll(/black_start:([\d.]+)/g)].map((m) => Number(m[1]));
}

/** Onsets of beeps: ends of the silences between them (half a second or more). */
async function beepTimes(audio: string): Promise<number[]> {
  const log = await ffmpegLog([
    '-i',
    audio,
    '-vn',
    '-af',
    'silencedetect=n=-45dB:d=0.5',
    '-f',
    'null',
    '-',
  ]);
  return [...log.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
}

/** Integrated loudness (LUFS) as ebur128 measures it. */
async function integratedLoudness(audio: string): Promise<number> {
  const log = await ffmpegLog(['-i', audio, '-vn', '-af', 'ebur128', '-f', 'null', '-']);
  const summary = log.slice(log.lastIndexOf('Summary:'));
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]);
}

/** RMS level (dB) of each channel, from astats. */
async function channelLevels(audio: string): Promise<number[]> {
  const log = await ffmpegLog([
    '-i',
    audio,
    '-vn',
    '-af',
    'astats=measure_overall=none',
    '-f',
    'null',
    '-',
  ]);
  return [...log.matchAll(/RMS level dB: (-?[\d.]+|-inf)/g)].map((m) =>
    m[1] === '-inf' ? -Infinity : Number(m[1]),
  );
}

/** 8 s at 25 fps: a white frame and a 100 ms 1 kHz beep every 2 s, H.264 + AAC. */
async function makeClapper(path: string): Promise<void> {
  await sh('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=black:s=320x180:r=${FPS}:d=8`,
    '-f',
    'lavfi',
    '-i',
    "aevalsrc='if(lt(mod(t,2),0.1),0.5*sin(2*PI*1000*t),0)':s=48000:d=8",
    '-filter_complex',
    "[0:v]geq=lum='if(lt(mod(N,50),1),235,16)':cb=128:cr=128,format=yuv420p[v]",
    '-map',
    '[v]',
    '-map',
    '1:a',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '50',
    '-keyint_min',
    '50',
    '-sc_threshold',
    '0',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-movflags',
    '+faststart',
    path,
  ]);
}

/** 6 s of 5.1(side): a 440 Hz tone in front left, 60 Hz in the LFE, the rest silent. */
async function makeSurround(path: string): Promise<void> {
  await sh('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=320x240:rate=${FPS}:duration=6`,
    '-f',
    'lavfi',
    '-i',
    "aevalsrc='0.4*sin(2*PI*440*t)|0|0|0.4*sin(2*PI*60*t)|0|0':s=48000:d=6:channel_layout=5.1(side)",
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    // FLAC in Matroska: the side-surround layout as a camera or an editor would hand it over.
    '-c:a',
    'flac',
    path,
  ]);
}

interface NodeSpec {
  readonly id: string;
  readonly type: string;
  readonly params?: Record<string, unknown>;
}

/** A graph document from nodes and `from->to` edges (ports `out` and `in`). */
function graph(id: string, nodes: NodeSpec[], edges: string[]) {
  return {
    schemaVersion: 1,
    id,
    name: id,
    nodes: nodes.map((n, i) => ({ ...n, params: n.params ?? {}, position: { x: i * 200, y: 0 } })),
    edges: edges.map((e, i) => {
      const [from, to] = e.split('->');
      return { id: `e${i}`, from: { node: from, port: 'out' }, to: { node: to, port: 'in' } };
    }),
  };
}

/**
 * Test-only node type: cuts a video to its first 3 s by stream copy, a real ffmpeg task that
 * stands for an encoder losing the end of a video, so a check has a truncated output to find.
 */
const truncateForTest: NodeTypeDef<{
  retries: number;
  cpus: number;
  memoryMb: number;
  placement: string[];
}> = {
  type: 'truncate-for-test',
  title: 'Truncate (test)',
  description: 'Keeps the first 3 s of a video.',
  ports: [
    { name: 'in', direction: 'in', dataType: 'video', multiplicity: 'one', required: true },
    { name: 'out', direction: 'out', dataType: 'video', multiplicity: 'one' },
  ],
  params: z.strictObject(taskParams({ cpus: 0.5, memoryMb: 256 })),
  firing: 'map',
  compile: (ctx) => {
    const input = ctx.inputs[0]!;
    const path = `work/${ctx.node.id}/short.mp4`;
    return [
      {
        key: `${ctx.node.id}:${ctx.index}`,
        nodeId: ctx.node.id,
        index: ctx.index,
        image: ctx.image,
        argv: [
          'ffmpeg',
          '-v',
          'error',
          '-y',
          '-i',
          `${ctx.storage.root}/${input.path}`,
          '-t',
          '3',
          '-c',
          'copy',
          `${ctx.storage.root}/${path}`,
        ],
        mounts: [],
        resources: { cpus: 0.5, memoryBytes: 256 << 20 },
        placement: [],
        labels: { [LABEL_VIA]: 'shared' },
        outputs: [{ kind: 'file', path, dataType: 'video' }],
        inputs: ctx.inputs,
      },
    ];
  },
  estimateSeconds: () => 1,
  cores: () => 1,
};

let fixtures: string;
let clapper: string;
let surround: string;
let silent: string;
let executor: Executor;
let runtime: Runtime;
let dataDir: string;

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-flows-fx-'));
  clapper = join(fixtures, 'clapper.mp4');
  surround = join(fixtures, 'surround.mkv');
  silent = join(fixtures, 'silent.mp4');
  await Promise.all([
    makeClapper(clapper),
    makeSurround(surround),
    makeClip(silent, { seconds: 4, fps: FPS }),
  ]);
  executor = await openTestExecutor('local');
  dataDir = mkdtempSync(join(tmpdir(), 'reelflow-flows-'));
  runtime = createRuntime({
    dataDir,
    executor,
    port: 0,
    designerDir: false,
    library: createLibrary([...nodeTypes, truncateForTest]),
  });
  await runtime.start();
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  await executor?.close();
  rmSync(fixtures, { recursive: true, force: true });
  if (dataDir && !process.env.KEEP_FLOWS) rmSync(dataDir, { recursive: true, force: true });
});

const outputs = (runId: string) => join(dataDir, 'runs', runId, 'outputs');

async function runToEnd(doc: unknown, input: string): Promise<RunView> {
  const run = runtime.manager.create(doc, { path: input });
  await runtime.manager.waitFor(run.id);
  return (await runtime.manager.view(run.id))!;
}

describe('audio + split/encode/merge on a clapper clip', () => {
  let view: RunView;
  beforeAll(async () => {
    const doc = graph(
      'clapper',
      [
        { id: 'src', type: 'source' },
        { id: 'aud', type: 'audio', params: { loudness: -16, truePeak: -1.5 } },
        { id: 'split', type: 'split', params: { segmentSeconds: 2 } },
        { id: 'enc', type: 'encode', params: { codec: 'h264', preset: 'ultrafast', crf: 23 } },
        { id: 'merge', type: 'merge' },
        { id: 'probe', type: 'probe' },
      ],
      ['src->aud', 'src->split', 'split->enc', 'enc->merge', 'merge->probe'],
    );
    view = await runToEnd(doc, clapper);
  }, 240_000);

  it('succeeds: the audio node measured, then encoded with the measurement', () => {
    expect(view.state, view.reason).toBe('succeeded');
    expect(view.nodes.aud!.state).toBe('done');
    const notes = view.diagnostics!.filter((d) => d.code === 'audio-loudness');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toMatch(/measured -\d+\.\d+ LUFS.*normalised to -16 LUFS/);
    expect(view.outputs).toEqual(expect.arrayContaining(['aud/audio.m4a', 'merge/output.mp4']));
  });

  it('keeps every beep within one frame of its flash: in the track against the source, and inside the merged output', async () => {
    const track = await beepTimes(join(outputs(view.runId), 'aud', 'audio.m4a'));
    const sourceFlashes = await flashTimes(clapper);
    const merged = join(outputs(view.runId), 'merge', 'output.mp4');
    const mergedFlashes = await flashTimes(merged);
    const mergedBeeps = await beepTimes(merged);
    expect(sourceFlashes.map(Math.round)).toEqual([0, 2, 4, 6]);
    expect(mergedFlashes.map(Math.round)).toEqual([0, 2, 4, 6]);
    // The beep at 0 starts the file, so it ends no silence; each other one follows a silence.
    const onsets = (beeps: number[]) => beeps.filter((t) => t > 1 && t < 7.5);
    expect(onsets(track).map(Math.round)).toEqual([2, 4, 6]);
    expect(onsets(mergedBeeps).map(Math.round)).toEqual([2, 4, 6]);
    onsets(track).forEach((t, i) =>
      expect(Math.abs(t - sourceFlashes[i + 1]!)).toBeLessThanOrEqual(FRAME),
    );
    onsets(mergedBeeps).forEach((t, i) =>
      expect(Math.abs(t - mergedFlashes[i + 1]!)).toBeLessThanOrEqual(FRAME),
    );
  });

  it('normalises the loudness to the target within 1 LU (ebur128), AAC at 48 kHz', async () => {
    const track = join(outputs(view.runId), 'aud', 'audio.m4a');
    expect(Math.abs((await integratedLoudness(track)) - -16)).toBeLessThanOrEqual(1);
    const { stdout } = await sh('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,sample_rate,channels',
      '-of',
      'csv=p=0',
      track,
    ]);
    expect(stdout.trim()).toBe('aac,48000,1');
  });

  it('has a check whose verdict on the split/encode/merge output agrees with the flashes measured against the track', async () => {
    // How far the merged video's flashes sit from the audio track's beeps (the source timeline).
    const track = (await beepTimes(join(outputs(view.runId), 'aud', 'audio.m4a'))).filter(
      (t) => t > 1 && t < 7.5,
    );
    const flashes = (await flashTimes(join(outputs(view.runId), 'merge', 'output.mp4'))).slice(1);
    const shift = Math.max(...flashes.map((f, i) => Math.abs(f - track[i]!)));
    const doc = graph(
      'clapper-check',
      [
        { id: 'src', type: 'source' },
        { id: 'split', type: 'split', params: { segmentSeconds: 2 } },
        { id: 'enc', type: 'encode', params: { codec: 'h264', preset: 'ultrafast', crf: 23 } },
        { id: 'merge', type: 'merge' },
        { id: 'check', type: 'check', params: { retries: 0 } },
      ],
      ['src->split', 'split->enc', 'enc->merge', 'merge->check'],
    );
    const checked = await runToEnd(doc, clapper);
    const verdict = checked.diagnostics!.find((d) => d.code === 'output-check')!;
    if (shift <= FRAME) {
      expect(checked.state).toBe('succeeded');
      expect(verdict.severity).toBe('info');
    } else {
      // The merged video starts later than its audio by as much as the flashes moved.
      expect(checked.state).toBe('failed');
      expect(verdict.severity).toBe('error');
      const offset = Number(/audio starts (-?[\d.]+) s after the video/.exec(verdict.message)![1]);
      expect(Math.abs(-offset - shift)).toBeLessThanOrEqual(0.005);
    }
    expect(verdict.message).toMatch(/200 frames \(source 200\)/);
  }, 240_000);
});

describe('a 5.1 input: stereo Opus downmix and a thumbnail track', () => {
  let view: RunView;
  const interval = 1.5;
  beforeAll(async () => {
    const doc = graph(
      'surround',
      [
        { id: 'src', type: 'source' },
        {
          id: 'aud',
          type: 'audio',
          params: { codec: 'opus', channels: 'stereo', bitrateKbps: 96 },
        },
        { id: 'aud6', type: 'audio', params: { codec: 'aac', bitrateKbps: 256 } },
        {
          id: 'thumbs',
          type: 'thumbnails',
          params: { intervalSeconds: interval, columns: 2, rows: 1, width: 96 },
        },
      ],
      ['src->aud', 'src->aud6', 'src->thumbs'],
    );
    view = await runToEnd(doc, surround);
  }, 240_000);

  it('downmixes to two channels: front left stays left, the LFE is dropped', async () => {
    expect(view.state, view.reason).toBe('succeeded');
    const track = join(outputs(view.runId), 'aud', 'audio.webm');
    const { stdout } = await sh('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,channels',
      '-of',
      'csv=p=0',
      track,
    ]);
    expect(stdout.trim()).toBe('opus,2');
    const [left, right] = await channelLevels(track);
    expect(left).toBeGreaterThan(-40);
    expect(left! - right!).toBeGreaterThan(30);
    expect(Math.abs((await integratedLoudness(track)) - -23)).toBeLessThanOrEqual(1);
  });

  it('keeps the six channels when asked, side surrounds mapped onto 5.1', async () => {
    const track = join(outputs(view.runId), 'aud6', 'audio.m4a');
    const { stdout } = await sh('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,channels,channel_layout',
      '-of',
      'csv=p=0',
      track,
    ]);
    expect(stdout.trim()).toBe('aac,6,5.1');
    const levels = await channelLevels(track);
    expect(levels[0]).toBeGreaterThan(-40); // front left
    expect(levels[3]).toBeGreaterThan(-40); // LFE
    for (const i of [1, 2, 4, 5]) expect(levels[i]!).toBeLessThan(levels[0]! - 30);
  });

  it('writes a poster, sprite sheets of the tiles asked for and a WebVTT track with one cue per interval', async () => {
    const dir = join(outputs(view.runId), 'thumbs');
    const vtt = readFileSync(join(dir, 'thumbnails.vtt'), 'utf8');
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    const cues = [
      ...vtt.matchAll(
        /^(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)$/gm,
      ),
    ];
    expect(cues).toHaveLength(Math.ceil(6 / interval));
    // 320x240 at width 96: tiles of 96x72, two per sheet side by side.
    expect(cues.map((c) => c.slice(3).join(' '))).toEqual([
      'sprites/sprite_001.jpg 0 0 96 72',
      'sprites/sprite_001.jpg 96 0 96 72',
      'sprites/sprite_002.jpg 0 0 96 72',
      'sprites/sprite_002.jpg 96 0 96 72',
    ]);
    expect(cues[0]![1]).toBe('00:00:00.000');
    expect(cues[3]![2]).toBe('00:00:06.000');
    const sheets = readdirSync(join(dir, 'sprites')).sort();
    expect(sheets).toEqual(['sprite_001.jpg', 'sprite_002.jpg']);
    for (const sheet of sheets) {
      const { stdout } = await sh('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=width,height',
        '-of',
        'csv=p=0',
        join(dir, 'sprites', sheet),
      ]);
      expect(stdout.trim()).toBe('192,72');
    }
    const poster = await sh('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,width,height',
      '-of',
      'csv=p=0',
      join(dir, 'poster.jpg'),
    ]);
    expect(poster.stdout.trim()).toBe('mjpeg,320,240');
    // Served where a player looks for it.
    const port = (runtime.httpServer.address() as AddressInfo).port;
    const served = await fetch(
      `http://127.0.0.1:${port}/api/runs/${view.runId}/outputs/thumbs/thumbnails.vtt`,
    );
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(vtt);
  });
});

describe('an input without audio', () => {
  const doc = (required: boolean) =>
    graph(
      `silent-${required}`,
      [
        { id: 'src', type: 'source' },
        { id: 'aud', type: 'audio', params: { required } },
        { id: 'check', type: 'check' },
      ],
      ['src->aud', 'src->check'],
    );

  it('skips the audio branch with a note, and the rest of the run goes on', async () => {
    const view = await runToEnd(doc(false), silent);
    expect(view.state, view.reason).toBe('succeeded');
    expect(view.nodes.aud).toMatchObject({ state: 'skipped', tasks: [] });
    expect(view.nodes.aud!.reason).toMatch(/no audio stream/);
    expect(view.nodes.check!.state).toBe('done');
    expect(view.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'node-skipped',
          severity: 'warning',
          element: { kind: 'node', id: 'aud' },
        }),
        expect.objectContaining({ code: 'output-check', severity: 'info' }),
      ]),
    );
  }, 120_000);

  it('refuses the run before any task starts when the audio node is required', async () => {
    const view = await runToEnd(doc(true), silent);
    expect(view.state).toBe('failed');
    expect(view.reason).toMatch(/aud: the input video has no audio stream/);
    expect(Object.values(view.nodes).every((n) => n.tasks.length === 0)).toBe(true);
    expect(view.diagnostics).toEqual([
      expect.objectContaining({
        code: 'input-refused',
        severity: 'error',
        element: { kind: 'node', id: 'aud' },
      }),
    ]);
  }, 120_000);
});

describe('check', () => {
  it('passes on a good output (split and merge by stream copy), as an info diagnostic', async () => {
    const doc = graph(
      'copied',
      [
        { id: 'src', type: 'source' },
        { id: 'split', type: 'split', params: { segmentSeconds: 2 } },
        { id: 'merge', type: 'merge' },
        { id: 'check', type: 'check' },
      ],
      ['src->split', 'split->merge', 'merge->check'],
    );
    const view = await runToEnd(doc, clapper);
    expect(view.state, view.reason).toBe('succeeded');
    expect(view.nodes.check!.state).toBe('done');
    expect(view.diagnostics).toEqual([
      expect.objectContaining({
        code: 'output-check',
        severity: 'info',
        element: { kind: 'node', id: 'check' },
      }),
    ]);
    expect(view.diagnostics![0]!.message).toMatch(
      /passed: 200 frames \(source 200\), 8\.0\d\d s \(source 8\.000 s\), A\/V offset/,
    );
    expect(view.outputs).toContain('check/check.json');
  }, 120_000);

  it('fails the node and the run on a truncated output, with an output-check error', async () => {
    const doc = graph(
      'truncated',
      [
        { id: 'src', type: 'source' },
        { id: 'cut', type: 'truncate-for-test' },
        { id: 'check', type: 'check', params: { retries: 0 } },
      ],
      ['src->cut', 'cut->check'],
    );
    const view = await runToEnd(doc, clapper);
    expect(view.state).toBe('failed');
    expect(view.nodes.check!.state).toBe('failed');
    expect(view.nodes.check!.reason).toMatch(/frame count 75 differs from the source's 200/);
    expect(view.nodes.check!.tasks).toHaveLength(1);
    const errors = view.diagnostics!.filter((d) => d.code === 'output-check');
    expect(errors).toEqual([
      expect.objectContaining({ severity: 'error', element: { kind: 'node', id: 'check' } }),
    ]);
    expect(errors[0]!.message).toMatch(/duration 3\.0\d\d s differs from the source's 8\.000 s/);
  }, 120_000);
});
