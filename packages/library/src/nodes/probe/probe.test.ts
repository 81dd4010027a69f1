import { describe, expect, it } from 'vitest';
import { compileNode, videoToken } from '../../testing.js';
import { probe } from './index.js';

describe('probe', () => {
  it('runs ffprobe into outputs/<node>/probe.json', () => {
    const [spec] = compileNode(probe, {}, { nodeId: 'p', inputs: [videoToken()] });
    // prettier-ignore
    expect(spec!.argv).toEqual([
      'ffprobe', '-hide_banner', '-v', 'error', '-show_format', '-show_streams', '-of', 'json',
      '-o', '/run/outputs/p/probe.json', '/run/input/source.mp4',
    ]);
    expect(spec!.outputs).toEqual([
      { kind: 'file', path: 'outputs/p/probe.json', dataType: 'video' },
    ]);
  });

  it('counts frames when asked, and works over HTTP', () => {
    const [spec] = compileNode(
      probe,
      { countFrames: true },
      { nodeId: 'p', inputs: [videoToken({ via: 'http' })] },
    );
    expect(spec!.argv).toContain('-count_frames');
    expect(spec!.argv.at(-1)).toBe('http://127.0.0.1:8080/api/runs/run-1/files/input/source.mp4');
  });
});
