import { describe, expect, it } from 'vitest';
import { DockerFrameDecoder } from './docker-logs.js';
import { LineSplitter, splitLines } from './lines.js';
import { isProgressLine, ProgressParser, ProgressThrottle } from './progress.js';

const block = (outTimeUs: string, progress = 'continue', speed = '2.5x') => [
  'frame=50',
  'fps=25.0',
  'bitrate=N/A',
  `out_time_us=${outTimeUs}`,
  `out_time_ms=${outTimeUs}`,
  'out_time=00:00:01.000000',
  `speed=${speed}`,
  `progress=${progress}`,
];

describe('ffmpeg -progress parser', () => {
  it('turns a closed block into out time, fraction and speed', () => {
    const parser = new ProgressParser(4);
    const samples = block('1000000').map((line) => parser.push(line));
    expect(samples.slice(0, -1)).toEqual(Array(7).fill(undefined));
    expect(samples.at(-1)).toEqual({ outTimeSeconds: 1, fraction: 0.25, speed: 2.5, end: false });
  });

  it('reports fraction 1 at progress=end and clamps overshoot', () => {
    const parser = new ProgressParser(1);
    expect(
      block('1500000')
        .map((l) => parser.push(l))
        .at(-1),
    ).toMatchObject({ fraction: 1, end: false });
    expect(
      block('2000000', 'end')
        .map((l) => parser.push(l))
        .at(-1),
    ).toMatchObject({ fraction: 1, end: true });
  });

  it('falls back to out_time when the microsecond fields are N/A, and omits an unknown speed', () => {
    const parser = new ProgressParser(10);
    const lines = [
      'out_time_us=N/A',
      'out_time_ms=N/A',
      'out_time=00:00:02.500000',
      'speed=N/A',
      'progress=continue',
    ];
    expect(lines.map((l) => parser.push(l)).at(-1)).toEqual({
      outTimeSeconds: 2.5,
      fraction: 0.25,
      end: false,
    });
  });

  it('keeps fraction 0 until the end when the duration is unknown', () => {
    const parser = new ProgressParser();
    expect(
      block('3000000')
        .map((l) => parser.push(l))
        .at(-1),
    ).toMatchObject({ outTimeSeconds: 3, fraction: 0 });
  });

  it('tells progress lines from ordinary output', () => {
    expect(isProgressLine('out_time_us=12')).toBe(true);
    expect(isProgressLine('[libx264 @ 0x55] frame I:1')).toBe(false);
    expect(isProgressLine('no-such-input.mp4: No such file or directory')).toBe(false);
  });

  it('throttles samples but always lets the final one through', () => {
    let now = 0;
    const throttle = new ProgressThrottle(250, () => now);
    const sample = (end = false) => ({ outTimeSeconds: 0, fraction: 0, end });
    expect(throttle.admit(sample())).toBe(true);
    now = 100;
    expect(throttle.admit(sample())).toBe(false);
    expect(throttle.admit(sample(true))).toBe(true);
    now = 400;
    expect(throttle.admit(sample())).toBe(true);
  });
});

describe('line splitting', () => {
  it('splits on \\n, \\r\\n and \\r across chunks and drops empty lines', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    for (const chunk of ['fra', 'me=1\r', 'frame=2\r\nerr', 'or here\n\n', 'tail'])
      splitter.push(chunk);
    splitter.end();
    expect(lines).toEqual(['frame=1', 'frame=2', 'error here', 'tail']);
  });

  it('keeps a UTF-8 character split between two chunks', () => {
    const bytes = Buffer.from('caf\u00e9\n');
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push(bytes.subarray(0, 4));
    splitter.push(bytes.subarray(4));
    expect(lines).toEqual(['caf\u00e9']);
    expect(splitLines('a\nb')).toEqual(['a', 'b']);
  });
});

describe('Docker multiplexed log frames', () => {
  const frame = (stream: 1 | 2, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it('separates stdout from stderr, also when frames are split across chunks', () => {
    const frames: string[] = [];
    const decoder = new DockerFrameDecoder((stream, payload) =>
      frames.push(`${stream}:${payload.toString()}`),
    );
    const all = Buffer.concat([frame(1, 'out_time_us=1\n'), frame(2, 'Error opening input\n')]);
    decoder.push(all.subarray(0, 5));
    decoder.push(all.subarray(5, 25));
    decoder.push(all.subarray(25));
    expect(frames).toEqual(['stdout:out_time_us=1\n', 'stderr:Error opening input\n']);
  });
});
