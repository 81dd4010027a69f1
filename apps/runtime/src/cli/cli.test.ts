import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

const repo = new URL('../../../../', import.meta.url).pathname;
const example = join(repo, 'examples/transcode-720p.reelflow.json');
const exampleDoc = JSON.parse(readFileSync(example, 'utf8')) as {
  nodes: Array<Record<string, unknown>>;
  edges: Array<Record<string, unknown>>;
};

/** Run the CLI in-process and capture what it prints. */
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

const dir = mkdtempSync(join(tmpdir(), 'reelflow-cli-'));
function writeDoc(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

describe('reelflow validate', () => {
  it('accepts the contract example (exit 0)', async () => {
    const result = await cli('validate', example);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid/);
  });

  it('prints {valid, diagnostics} with --json', async () => {
    const result = await cli('validate', example, '--json');
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, diagnostics: [] });
  });

  it('exits 1 and names each problem with its code and path', async () => {
    const doc = structuredClone(exampleDoc);
    delete doc.nodes[0]!.id; // missing field
    doc.nodes[1]!.position = { x: 'left', y: 0 }; // wrong type
    const path = writeDoc('broken.json', doc);
    const result = await cli('validate', path);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('schema');
    expect(result.stdout).toContain('$.nodes[0].id');
    expect(result.stdout).toContain('$.nodes[1].position.x');
  });

  it('exits 1 for an unknown node type and a dangling edge', async () => {
    const doc = structuredClone(exampleDoc);
    doc.nodes[3]!.type = 'teleport';
    doc.edges[5]!.to = { node: 'nowhere', port: 'in' };
    const result = await cli('validate', writeDoc('refs.json', doc), '--json');
    expect(result.code).toBe(1);
    const codes = (
      JSON.parse(result.stdout) as { diagnostics: Array<{ code: string }> }
    ).diagnostics.map((d) => d.code);
    expect(codes).toContain('unknown-node-type');
    expect(codes).toContain('dangling-edge');
  });

  it('exits 2 with one clear line for a file that is not JSON', async () => {
    const result = await cli('validate', writeDoc('not.json', '{ nodes: ['));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/not valid JSON/);
  });

  it('exits 2 for a missing file and for bad arguments', async () => {
    expect((await cli('validate', join(dir, 'absent.json'))).stderr).toMatch(
      /cannot read .*absent\.json: no such file/,
    );
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', example, '--colour')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });
});

describe('reelflow validate --constraints', () => {
  it('reports a violated user constraint under its own name and exits 1', async () => {
    const ocl = writeDoc(
      'project.ocl',
      "-- no blurry encodes here\ncontext encode inv maxCrf 'CRF above 20 is not allowed': self.params.crf <= 20\n",
    );
    const result = await cli('validate', example, '--constraints', ocl, '--json');
    expect(result.code).toBe(1);
    const { diagnostics } = JSON.parse(result.stdout) as {
      diagnostics: Array<{ code: string; element: { id: string } }>;
    };
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'maxCrf', element: { kind: 'node', id: 'enc' } }),
    ]);
  });

  it('takes several files, and a warning-only constraint keeps exit 0', async () => {
    const a = writeDoc('a.ocl', 'context Node inv hasId: self.id.size() > 0\n');
    const b = writeDoc(
      'b.ocl',
      "context encode inv soft warning 'prefer crf 18': self.params.crf = 18\n",
    );
    const result = await cli('validate', example, '--constraints', a, '--constraints', b, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).diagnostics).toEqual([
      expect.objectContaining({ code: 'soft', severity: 'warning' }),
    ]);
  });

  it('reports a malformed constraint file with line:column and exits 1; a missing one exits 2', async () => {
    const bad = writeDoc('bad.ocl', 'context encode inv broken: self.params.crf <=\n');
    const result = await cli('validate', example, '--constraints', bad);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ocl-syntax/);
    expect(result.stdout).toMatch(/bad\.ocl:\d+:\d+/);
    expect((await cli('validate', example, '--constraints', join(dir, 'none.ocl'))).code).toBe(2);
  });
});

describe('reelflow export / import', () => {
  it('round-trips through NoFlo FBP JSON to an equal graph', async () => {
    const exported = await cli('export', example, '--format', 'fbp-json');
    expect(exported.code).toBe(0);
    const fbpPath = writeDoc('graph.fbp.json', exported.stdout);
    const imported = await cli('import', fbpPath);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual(exampleDoc);
  });

  it('exports Graphviz DOT', async () => {
    const result = await cli('export', example, '--format', 'dot');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^digraph/);
  });

  it('refuses a missing or unknown format and an invalid document', async () => {
    expect((await cli('export', example)).code).toBe(2);
    const unknown = await cli('export', example, '--format', 'yaml');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--format must be one of fbp-json, dot/);
    expect((await cli('export', writeDoc('bad.json', { nodes: 3 }), '--format', 'dot')).code).toBe(
      1,
    );
    expect((await cli('import', writeDoc('bad.fbp.json', { processes: { a: {} } }))).code).toBe(1);
  });
});

describe('reelflow simulate', () => {
  it('prints the trace, firings and makespan as JSON', async () => {
    const result = await cli('simulate', example, '--chunks', '4', '--workers', '2', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      firings: Record<string, number>;
      makespanSeconds: number;
      deadlock: boolean;
      trace: unknown[];
    };
    expect(report.firings).toEqual({
      src: 1,
      split: 1,
      xfer: 4,
      enc: 4,
      back: 4,
      merge: 1,
      out: 1,
    });
    expect(report.deadlock).toBe(false);
    expect(report.makespanSeconds).toBeGreaterThan(0);
    expect(report.trace[0]).toEqual({
      step: expect.any(Number),
      node: 'src',
      consumed: 0,
      produced: 1,
    });
  });

  it('exits 1 for an invalid graph and 2 for bad numbers', async () => {
    const doc = structuredClone(exampleDoc);
    doc.edges.splice(2, 1);
    expect((await cli('simulate', writeDoc('cut.json', doc))).code).toBe(1);
    const bad = await cli('simulate', example, '--workers', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--workers must be a whole number/);
    expect((await cli('simulate', example, '--duration', '-3')).code).toBe(2);
  });
});

describe('reelflow calibrate / simulate --calibration', () => {
  const makespan = async (...extra: string[]) => {
    const result = await cli('simulate', example, '--duration', '60', '--json', ...extra);
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as { makespanSeconds: number }).makespanSeconds;
  };

  it('measures this machine, writes the file and simulate predicts with it', async () => {
    const out = join(dir, 'cal', 'calibration.json');
    const result = await cli(
      'calibrate',
      '--executor',
      'local',
      '--seconds',
      '2',
      '--out',
      out,
      '--json',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/calibrate: timing \d+ encode\(s\) side by side/);
    const printed = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      executor: string;
      calibration: Record<string, number>;
      measurements: Record<string, number>;
    };
    const written = JSON.parse(readFileSync(out, 'utf8')) as typeof printed;
    expect(written).toEqual(printed);
    expect(written.executor).toBe('local');
    for (const key of ['encodeSecondsPerSecond', 'taskOverheadSeconds', 'lightTaskOverheadSeconds'])
      expect(written.calibration[key]).toBeGreaterThan(0);
    expect(written.measurements.encodeSeconds).toBeGreaterThan(
      written.measurements.processStartSeconds,
    );

    // The file changes the prediction, exactly as its calibration object does.
    const calibrated = await makespan('--calibration', out);
    expect(calibrated).not.toBe(await makespan());
    const bare = writeDoc('bare-calibration.json', written.calibration);
    expect(await makespan('--calibration', bare)).toBe(calibrated);
    const text = await cli('simulate', example, '--duration', '60', '--calibration', out);
    expect(text.stdout).toContain(`(calibration: ${out})`);
  }, 120_000);

  it('refuses bad options before measuring anything (exit 2, one line)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--executor', 'kubernetes'], /--executor must be one of swarm, local/],
      [['--light-tasks', 'nowhere'], /--light-tasks must be one of/],
      [['--seconds', '0'], /--seconds must be a whole number from 2 to 600/],
      [['--seconds', 'long'], /--seconds must be a whole number/],
      [['--out', dir], /cannot write .*: is a directory/],
      [['--out', join(writeDoc('plain-file', 'x'), 'calibration.json')], /is not a directory/],
      [['extra'], /unexpected argument 'extra'/],
    ];
    for (const [args, message] of cases) {
      const result = await cli('calibrate', '--executor', 'local', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });

  it('refuses a calibration file that is missing, not JSON or not a calibration', async () => {
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'nope.json'), /cannot read .*nope\.json: no such file/],
      [writeDoc('cal-text.json', 'fast'), /cal-text\.json is not valid JSON/],
      [
        writeDoc('cal-negative.json', {
          calibration: {
            encodeSecondsPerSecond: -1,
            copySecondsPerSecond: 0,
            taskOverheadSeconds: 0,
          },
        }),
        /cal-negative\.json is not a calibration: encodeSecondsPerSecond: /,
      ],
      [
        writeDoc('cal-missing.json', { encodeSecondsPerSecond: 0.2, copySecondsPerSecond: 0 }),
        /cal-missing\.json is not a calibration: taskOverheadSeconds: /,
      ],
      [
        writeDoc('cal-extra.json', {
          encodeSecondsPerSecond: 0.2,
          copySecondsPerSecond: 0,
          taskOverheadSeconds: 0,
          speed: 'high',
        }),
        /cal-extra\.json is not a calibration: .*speed/,
      ],
    ];
    for (const [path, message] of cases) {
      const result = await cli('simulate', example, '--calibration', path);
      expect(result.code, path).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });
});

describe('the reelflow binary', () => {
  it('runs from the built package (npx reelflow)', async () => {
    const bin = join(repo, 'apps/runtime/bin/reelflow.js');
    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      'validate',
      example,
      '--json',
    ]);
    expect(JSON.parse(stdout).valid).toBe(true);
    const bad = await promisify(execFile)(process.execPath, [
      bin,
      'validate',
      writeDoc('nj.json', 'x'),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
  });
});

describe('reelflow start-up', () => {
  it('loads the Docker client only when a run needs Swarm', async () => {
    // In a fresh process from the build: the CLI and a local executor leave dockerode unloaded
    // (it costs every local run ~90 ms); detecting swarm loads it.
    const dist = join(repo, 'apps/runtime/dist');
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('/dockerode/'));
      (async () => {
        await import(${JSON.stringify(join(dist, 'cli/main.js'))});
        const { openExecutor } = await import(${JSON.stringify(join(dist, 'runs/cli-run.js'))});
        const local = await openExecutor('local');
        await local.executor.close();
        const before = loaded();
        const auto = await openExecutor();
        await auto.executor.close();
        console.log(JSON.stringify({ before, after: loaded() }));
      })();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true });
  });
});

describe('reelflow run / serve options', () => {
  it('refuses an unknown --executor or --light-tasks before doing anything (exit 2)', async () => {
    for (const argv of [
      ['run', example, '--input', example, '--executor', 'k8s'],
      ['run', example, '--input', example, '--light-tasks', 'anywhere'],
      ['serve', '--light-tasks', 'anywhere'],
      ['serve', '--executor', 'k8s'],
    ]) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      const flag = argv.includes('--executor') ? 'executor' : 'light-tasks';
      const allowed = flag === 'executor' ? 'swarm, local' : 'runtime, cluster';
      expect(result.stderr).toContain(`--${flag} must be one of ${allowed}`);
    }
  });

  it('lists --light-tasks in the usage', async () => {
    const result = await cli('--help');
    expect(result.stdout + result.stderr).toContain('--light-tasks runtime|cluster');
  });
});
