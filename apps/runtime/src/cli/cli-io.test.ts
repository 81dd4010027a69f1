/**
 * Issue 16, command-line half: how `reelflow` reads files and reports errors. The pipe tests
 * spawn the built binary (run `npx tsc -b` first), the others run the CLI in-process.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

const repo = new URL('../../../../', import.meta.url).pathname;
const bin = join(repo, 'apps/runtime/bin/reelflow.js');
const example = join(repo, 'examples/transcode-720p.reelflow.json');
const exampleText = readFileSync(example, 'utf8');
const exampleDoc = JSON.parse(exampleText) as {
  nodes: Array<Record<string, unknown>>;
  edges: Array<Record<string, unknown>>;
};

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'reelflow-cli-io-'));
function write(name: string, content: string | Uint8Array | object): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    typeof content === 'string' || content instanceof Uint8Array
      ? content
      : JSON.stringify(content),
  );
  return path;
}

/** A graph whose FBP JSON export is far larger than a pipe's buffer (64 KiB). */
const bigGraph = write('big.reelflow.json', {
  ...exampleDoc,
  nodes: [
    ...exampleDoc.nodes,
    ...Array.from({ length: 3000 }, (_, i) => ({
      id: `extra${i}`,
      type: 'stream',
      params: { format: 'hls' },
    })),
  ],
});

/** The one line a failed command printed; fails when it printed more or none. */
function oneLineOf(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('reelflow writing into a closed pipe', () => {
  it('exits with its own code and no stack trace when the reader has gone (EPIPE)', async () => {
    const child = spawn(process.execPath, [bin, 'export', bigGraph, '--format', 'fbp-json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader goes before the first byte
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('is quiet in `export ... | head -c 10` and keeps exit 1 of an invalid graph', async () => {
    const script = (file: string) =>
      `node "${bin}" export "${file}" --format fbp-json 2>"${dir}/err.txt" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"; cat "${dir}/err.txt"`;
    const ok = await promisify(execFile)('bash', ['-c', script(bigGraph)]);
    expect(ok.stdout).toBe('0\n');
    const invalid = write('inf.reelflow.json', exampleText.replace('"crf": 23', '"crf": 1e999'));
    const bad = await promisify(execFile)('bash', ['-c', script(invalid)]);
    expect(bad.stdout.split('\n')[0]).toBe('1');
    expect(bad.stdout).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });

  it('exits 0 quietly with stdout closed', async () => {
    const { stdout, stderr } = await promisify(execFile)('bash', [
      '-c',
      `node "${bin}" export "${bigGraph}" --format fbp-json >&-; echo $?`,
    ]);
    expect(stdout).toBe('0\n');
    expect(stderr).toBe('');
  });
});

describe('reelflow reading text files', () => {
  it('accepts a UTF-8 byte order mark, in a graph and in a constraints file', async () => {
    const bom = '\ufeff';
    const graph = write('bom.reelflow.json', bom + exampleText);
    const ocl = write(
      'bom.ocl',
      `${bom}context encode inv soft warning 'x': self.params.crf = 18\n`,
    );
    const result = await cli('validate', graph, '--constraints', ocl, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).diagnostics).toEqual([
      expect.objectContaining({ code: 'soft' }),
    ]);
    expect((await cli('export', graph, '--format', 'dot')).code).toBe(0);
  });

  it.each([
    [
      'utf16le-bom.json',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(exampleText, 'utf16le')]),
      /UTF-16 \(little-endian byte order mark\)/,
    ],
    [
      'utf16be-bom.json',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(exampleText, 'utf16le').swap16()]),
      /UTF-16 \(big-endian byte order mark\)/,
    ],
    ['utf16le.json', Buffer.from(exampleText, 'utf16le'), /looks like UTF-16 \(little-endian/],
    [
      'utf16be.json',
      Buffer.from(exampleText, 'utf16le').swap16(),
      /looks like UTF-16 \(big-endian/,
    ],
    ['nul.json', Buffer.from(`${exampleText}\0`), /has a NUL byte at offset \d+: not a text file/],
  ])(
    'names the encoding of %s in one line without NUL bytes (exit 2)',
    async (name, bytes, message) => {
      const path = write(name, bytes);
      for (const command of [
        ['validate', path],
        ['import', path],
        ['export', path, '--format', 'dot'],
      ]) {
        const result = await cli(...command);
        expect(result.code).toBe(2);
        const line = oneLineOf(result.stderr);
        expect(line).toMatch(message);
        expect(line).toContain(`${path} `);
        expect(line).not.toContain('\0');
        if (!name.startsWith('nul')) expect(line).toContain('save it as UTF-8');
      }
    },
  );

  it('reports a JSON syntax error in one line, naming the file once', async () => {
    // Node quotes the text around the error, line breaks included.
    const path = write('typo.json', exampleText.replace('"crf": 23', '"crf":\n  oops'));
    const result = await cli('validate', path);
    expect(result.code).toBe(2);
    const line = oneLineOf(result.stderr);
    expect(line.split(path)).toHaveLength(2);
    expect(line).toMatch(/is not valid JSON/);
  });
});

describe('reelflow messages', () => {
  it('names each JSON path once in a text-mode diagnostic', async () => {
    const doc = structuredClone(exampleDoc);
    doc.nodes[1]!.position = { x: 'left', y: 0 };
    const path = write('path-once.json', doc);
    for (const [command, out] of [
      [['validate', path], 'stdout'],
      [['export', path, '--format', 'dot'], 'stderr'],
    ] as const) {
      const result = await cli(...command);
      expect(result.code).toBe(1);
      const line = result[out].split('\n').find((l) => l.includes('schema'))!;
      expect(line.split('$.nodes[1].position.x')).toHaveLength(2);
      expect(line).toMatch(/\$\.nodes\[1\]\.position\.x: .*expected number/);
    }
  });
});

describe('reelflow export and import refuse numbers JSON cannot write', () => {
  it('refuses an infinite parameter on export as validate does (exit 1, with its path)', async () => {
    const path = write('infinite.json', exampleText.replace('"crf": 23', '"crf": 1e999'));
    const validate = await cli('validate', path);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('params.crf');
    for (const format of ['fbp-json', 'dot']) {
      const result = await cli('export', path, '--format', format);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/\$\.nodes\[3\]\.params\.crf: not a finite number/);
      // One line, complete in itself: the file, the element and the path.
      expect(oneLineOf(result.stderr)).toMatch(
        /^\S+infinite\.json: error +schema +graph transcode-720p \$\.nodes/,
      );
    }
  });

  it('refuses one in an FBP graph on import', async () => {
    const path = write(
      'infinite.fbp.json',
      '{"processes":{"a":{"component":"x","metadata":{"w":-1e999}}}}',
    );
    const result = await cli('import', path);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\$\.processes\.a\.metadata\.w: not a finite number/);
  });
});

describe('reelflow import refuses what is not an FBP graph', () => {
  it.each([
    ['a Reelflow document', exampleText, /this is a Reelflow graph document, not FBP JSON/],
    ['{}', '{}', /not an FBP JSON graph: it has no "processes" object/],
    ['an array', '[]', /an FBP JSON graph is a JSON object/],
  ])('refuses %s with exit 2 and one line', async (_what, text, message) => {
    const path = write('not-fbp.json', text);
    const result = await cli('import', path);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneLineOf(result.stderr)).toMatch(message);
  });

  it('reports a .fbp syntax error with line:column in one line (exit 2)', async () => {
    const path = write('broken.fbp', "'x' -> IN a(core/Repeat)\na OUT ->\n");
    const result = await cli('import', path);
    expect(result.code).toBe(2);
    expect(oneLineOf(result.stderr)).toMatch(/broken\.fbp:3:1: not a valid \.fbp graph: Expected/);
  });
});
