/** RESULTS.md: the one table of figures, then the details behind it. */
import type { OtherBenchmark } from './collect.js';
import type { Figure } from './figures.js';
import type { LoadSummary, Machine } from './machine.js';
import { describeMatrix } from './matrix.js';
import { median } from './stats.js';
import type { SuiteResults } from './suite.js';

export interface Report {
  readonly date: string;
  readonly machine: Machine;
  readonly loadAverage: LoadSummary;
  readonly suite?: SuiteResults;
  readonly others: OtherBenchmark[];
  readonly figures: Figure[];
  /** Hand-written findings (bench/e2e/FINDINGS.md), included as they are. */
  readonly findings?: string;
  readonly elapsedSeconds: number;
}

const fmt = (v: number | null | undefined, digits = 3): string => {
  // JSON keeps no NaN or Infinity: a re-rendered report reads them back as null.
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return Number(v.toFixed(digits)).toString();
};

const targetText = (f: Figure): string =>
  f.target
    ? `${f.target.stat === 'p95' ? 'p95 ' : ''}${f.target.op === '<=' ? '≤' : '≥'} ${f.target.value}`
    : '–';

const metText = (f: Figure): string => (f.met === undefined ? '–' : f.met ? '**yes**' : '**no**');

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** The main table: one row per figure. */
export function figureTable(figures: readonly Figure[]): string {
  const lines = [
    row(['group', 'figure', 'unit', 'median', 'min', 'max', 'n', 'target', 'met', 'note']),
    row(['---', '---', '---', '---:', '---:', '---:', '---:', '---', '---', '---']),
  ];
  for (const f of figures) {
    const note = [f.p95 !== undefined ? `p95 = ${fmt(f.p95)}` : '', f.note ?? '']
      .filter(Boolean)
      .join('; ');
    lines.push(
      row([
        f.group,
        f.name,
        f.unit,
        fmt(f.median),
        fmt(f.min),
        fmt(f.max),
        f.n === undefined ? '–' : String(f.n),
        targetText(f),
        metText(f),
        note,
      ]),
    );
  }
  return lines.join('\n');
}

function casesSection(s: SuiteResults): string {
  if (s.cases.length === 0) return '';
  const ex = s.matrix.executors;
  const med = (values: number[]) => (values.length ? median(values) : undefined);
  const lines = [
    '## End to end, per pair',
    '',
    "Wall seconds are medians over the repetitions; the ratio is each repetition's run over the plain encode of the same repetition (median, then min–max).",
    '',
    row([
      'pair',
      'chunks',
      'plain ffmpeg s',
      ...ex.map((e) => `${e} s`),
      ...ex.map((e) => `${e} / plain`),
    ]),
    row(['---', '---:', '---:', ...ex.map(() => '---:'), ...ex.map(() => '---')]),
  ];
  for (const c of s.cases) {
    const plain = med(c.reps.flatMap((r) => (r.plainSeconds ? [r.plainSeconds] : [])));
    const wall = (e: (typeof ex)[number]) =>
      med(c.reps.flatMap((r) => (r.runs[e] ? [r.runs[e]!.wallSeconds] : [])));
    const ratio = (e: (typeof ex)[number]) => {
      const v = c.ratios[e] ?? [];
      return v.length ? `${fmt(med(v))} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})` : '–';
    };
    lines.push(
      row([
        c.label,
        String(c.chunks),
        fmt(plain, 2),
        ...ex.map((e) => fmt(wall(e), 2)),
        ...ex.map(ratio),
      ]),
    );
  }
  lines.push('', '### Quality per pair (first repetition)', '');
  lines.push(
    row([
      'pair',
      'output',
      'PSNR vs plain dB',
      'PSNR at joins (min) vs plain',
      'SSIM vs plain',
      'PSNR vs source dB',
      'PSNR at joins (min) vs source',
      'size / plain',
    ]),
  );
  lines.push(row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const c of s.cases) {
    const p = c.quality.plainVsSource;
    if (p)
      lines.push(
        row([c.label, 'plain', '–', '–', '–', fmt(p.psnr, 2), fmt(p.psnrAtJoinsMin, 2), '1']),
      );
    for (const e of ex) {
      const q = c.quality[e];
      if (q)
        lines.push(
          row([
            c.label,
            e,
            fmt(q.vsPlain.psnr, 2),
            fmt(q.vsPlain.psnrAtJoinsMin, 2),
            fmt(q.vsPlain.ssim, 4),
            fmt(q.vsSource.psnr, 2),
            fmt(q.vsSource.psnrAtJoinsMin, 2),
            fmt(q.sizeRatio),
          ]),
        );
    }
  }
  lines.push('', '### Prediction per pair', '');
  lines.push(
    row([
      'pair',
      'executor',
      'measured run s',
      'predicted s (calibrated)',
      'error %',
      "error % calibrated by each repetition's plain encode",
      '`reelflow simulate` s (uncalibrated)',
      'error %',
    ]),
  );
  lines.push(row(['---', '---', '---:', '---:', '---:', '---', '---:', '---:']));
  for (const c of s.cases) {
    for (const e of ex) {
      const p = c.prediction[e];
      if (p)
        lines.push(
          row([
            c.label,
            e,
            fmt(p.measuredSeconds, 2),
            fmt(p.predictedSeconds, 2),
            fmt(p.errorPercent, 1),
            p.adjacentErrorPercents.map((v) => fmt(v, 1)).join(', ') || '–',
            fmt(p.cliPredictedSeconds, 2),
            fmt(p.cliErrorPercent, 1),
          ]),
        );
    }
  }
  return lines.join('\n');
}

/** Issue 13's ladder: every alternated run with its timings, and the plain command. */
function ladderSection(s: SuiteResults): string {
  const l = s.ladder;
  if (!l) return '';
  const ex = Object.keys(l.ratios) as Array<keyof typeof l.ratios>;
  const lines = [
    '## ABR ladder (issue 13)',
    '',
    `Reelflow runs \`${l.graph}\` (split ${l.chunks} chunks, ${l.rungs.length} rungs ${l.rungs.map((r) => `${r.height}p ${r.bitrateKbps}k`).join(' / ')}, ${l.rungs[0]?.preset ?? ''}, a keyframe every ${l.rungs[0]?.keyframeSeconds ?? 2} s, merges, HLS with ${l.segmentSeconds} s segments and a master playlist; the whole \`reelflow run\` process is timed) on a ${l.clip.durationSeconds} s ${l.clip.width}x${l.clip.height} clip. A fused decode-once task reports one firing per rung (so ${l.chunks * l.rungs.length} encode firings are ${l.chunks} processes), each with the process's time. The plain command decodes the clip once and writes the same four HLS variants:`,
    '',
    '```',
    l.plainArgv.map((a) => (/[\s;[\]*,()]/.test(a) ? `'${a}'` : a)).join(' '),
    '```',
    '',
    row([
      'rep',
      'order',
      'plain s',
      ...ex.flatMap((e) => [
        `${e} wall s`,
        `${e} run s`,
        `${e} encode firings × mean s`,
        `${e} merge+stream busy s`,
        `${e} / plain`,
      ]),
      'load before (plain, ' + ex.join(', ') + ')',
    ]),
    row([
      '---:',
      '---',
      '---:',
      ...ex.flatMap(() => ['---:', '---:', '---', '---:', '---:']),
      '---',
    ]),
  ];
  l.reps.forEach((r, i) => {
    const cells = ex.flatMap((e) => {
      const x = r.runs[e];
      const enc = x?.byType?.encode;
      const busy = (t: string) => x?.byType?.[t]?.busySeconds ?? 0;
      return [
        fmt(x?.wallSeconds, 2),
        fmt(x?.runSeconds, 2),
        enc ? `${enc.tasks} × ${fmt(enc.taskSeconds / enc.tasks, 2)}` : '–',
        x?.byType ? fmt(busy('merge') + busy('stream'), 2) : '–',
        x && r.plainSeconds ? fmt(x.wallSeconds / r.plainSeconds) : '–',
      ];
    });
    const loads = [r.plainLoadBefore, ...ex.map((e) => r.runs[e]?.loadBefore)].map((v) =>
      fmt(v, 2),
    );
    lines.push(
      row([String(i + 1), r.order.join(' → '), fmt(r.plainSeconds, 2), ...cells, loads.join(', ')]),
    );
  });
  return lines.join('\n');
}

function calibrationSection(s: SuiteResults): string {
  if (s.cases.length === 0) return '';
  const lines = [
    '## Calibration measured on this machine',
    '',
    "Before each pair, `reelflow calibrate` for each executor, on a 20 s 1280x720 clip (medians of 3): a process start, a stream copy, and the library's encode (H.264 veryfast) as a run's encode tasks do it, one per core side by side, each on one thread; an encode's wall time is the per-core `encodeSecondsPerSecond` of the cost model. `taskOverheadSeconds` is an empty task's launch to completion through the executor (a process for local, a Swarm job for swarm).",
    '',
    row([
      'before pair',
      'process start s',
      'copy s',
      'encode s',
      'encodeSecondsPerSecond',
      'copySecondsPerSecond',
      'taskOverheadSeconds local / swarm',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const c of s.cases) {
    const k = c.calibration;
    lines.push(
      row([
        c.label,
        fmt(k.notes.processStartSeconds),
        fmt(k.notes.copySeconds),
        fmt(k.notes.encodeSeconds),
        fmt(k.local.encodeSecondsPerSecond),
        fmt(k.local.copySecondsPerSecond, 4),
        `${fmt(k.local.taskOverheadSeconds)} / ${fmt(k.swarm.taskOverheadSeconds)}`,
      ]),
    );
  }
  lines.push(
    '',
    'The calibrated prediction is `reelflow simulate --calibration FILE` with the file `reelflow calibrate` wrote for the executor; the command without a calibration (the reference machine) is shown beside it. The per-repetition figure rescales the encode speed so the model reproduces the plain encode run beside it; a plain encode uses every core from one process, which does less per core than one single-threaded encode per core, so that variant predicts somewhat long.',
  );
  return lines.join('\n');
}

function schedulingSection(s: SuiteResults): string {
  if (!s.overhead?.length && !s.latency.length) return '';
  const lines = ['## Scheduling details', ''];
  if (s.overhead?.length) {
    lines.push(
      "Swarm task overhead by phase (median seconds per task; container start and exit from Docker's events): *create* is `launch()` returning (task files and the `createService` call), *to start* from there to the container's start (Swarm scheduling, container create and start), *running* the command itself, *detect* from the container's exit to the executor's `succeeded` (polling or `die` event, log drain).",
      '',
    );
    lines.push(
      row([
        'concurrent',
        'batches',
        'median s',
        'batch wall s',
        'create',
        'to start',
        'running',
        'detect',
        'failed',
      ]),
    );
    lines.push(row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
    for (const o of s.overhead) {
      lines.push(
        row([
          String(o.concurrent),
          String(o.batches),
          fmt(o.seconds.median),
          fmt(o.batchSeconds),
          fmt(o.phases?.create),
          fmt(o.phases?.toStart),
          fmt(o.phases?.running),
          fmt(o.phases?.detect),
          String(o.failed),
        ]),
      );
    }
  }
  return lines.join('\n');
}

function profilesSection(s: SuiteResults): string {
  if (!s.profiles.length) return '';
  const lines = ['## CPU profiles of runs that missed their target (`node --cpu-prof`)', ''];
  for (const p of s.profiles) {
    lines.push(
      `**${p.executor}**: run wall ${fmt(p.wallSeconds, 2)} s; the runtime's main thread was busy ${fmt(p.busySeconds, 2)} s (${fmt(p.busyShare * 100, 1)} % of its life, GC ${fmt(p.gcShare * 100, 1)} %). Heaviest functions by self time:`,
      '',
    );
    lines.push(row(['function', 'where', 'self ms', 'share']), row(['---', '---', '---:', '---:']));
    for (const t of p.top)
      lines.push(row([t.fn, t.where, fmt(t.selfMs, 1), `${fmt(t.share * 100, 2)} %`]));
    lines.push('', `Profile: \`${p.profileFile}\``, '');
  }
  return lines.join('\n');
}

function othersSection(others: readonly OtherBenchmark[]): string {
  const lines = ['## Other benchmarks collected', ''];
  for (const o of others) {
    const state = {
      ok: `ran in this session${o.exitCode ? ` (exit ${o.exitCode}: it checks its own targets)` : ''}`,
      failed: `could not run in this session: ${o.error ?? ''}`,
      absent: 'not present',
      skipped: 'not rerun (results from its last session)',
    }[o.ran];
    const date = o.results?.date ? `, results dated ${String(o.results.date)}` : '';
    const took = o.seconds ? ` (${fmt(o.seconds, 1)} s)` : '';
    lines.push(`- \`bench/${o.name}\`: ${state}${date}${took}`);
  }
  return lines.join('\n');
}

/** How busy the machine was; a warning when other work competed for the cores. */
function loadText(load: LoadSummary, nproc: number): string {
  const text = `**Load during the session:** 1-minute load average median ${fmt(load.median, 2)}, max ${fmt(load.max, 2)} (${load.samples} samples, nproc ${nproc}).`;
  return load.median > nproc / 2
    ? `${text} The load counts the benchmark's own encodes too (x264 runs several threads per process), so a high figure means other work competed only if it stays high between runs; where it did, wall times and their ratios are noisy (the alternation keeps each ratio's two sides under similar load, but not equal load).`
    : text;
}

/** The whole RESULTS.md. */
export function renderReport(r: Report): string {
  const s = r.suite;
  const m = r.machine;
  const met = r.figures.filter((f) => f.met === true).length;
  const missed = r.figures.filter((f) => f.met === false);
  const parts = [
    '# Reelflow benchmark results',
    '',
    `Generated by \`npm run bench\` (\`scripts/bench.sh\` → \`bench/run-all.ts\`) on ${r.date}, in ${fmt(r.elapsedSeconds / 60, 1)} min. Machine-readable: [results.json](results.json). Do not edit by hand; the findings section comes from \`bench/e2e/FINDINGS.md\`.${s?.repredicted ? ` The predictions were computed again on ${s.repredicted} (\`run-all.ts --repredict\`), with the cost model as it then was, from the calibrations and run times this session recorded; nothing was measured again.` : ''}`,
    '',
    `**Machine:** ${m.cpuModel}, nproc ${m.nproc}, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.ffmpeg}${m.docker ? `, Docker ${m.docker}` : ''}.${m.niceness ? ` The benchmark ran at nice ${m.niceness} (its ffmpeg processes too; Swarm's task containers, started by dockerd, did not).` : ''}`,
    '',
    loadText(r.loadAverage, m.nproc),
    '',
    s
      ? `**Matrix:** ${describeMatrix(s.matrix)}. In each repetition the plain encode and the Reelflow runs follow each other directly, their order rotated from one repetition to the next. Clips are generated by ffmpeg (testsrc2 + 440 Hz tone, 25 fps, H.264 CRF 18, a keyframe every 2 s); Reelflow runs the example graph \`examples/transcode-720p.reelflow.json\` (10 s segments, shared transfers, mp4 merge, HLS stream) with the pair's preset, CRF ${s.matrix.crf} and the clip's height; the plain encode uses the same scale, encoder, preset, CRF, keyframe cadence (a closed GOP every 2 s, the encode node's \`keyframeSeconds\`) and audio settings in one \`ffmpeg\` process.`
      : '**Matrix:** the end-to-end benchmarks were not run.',
    '',
    `**Targets:** ${met} met, ${missed.length} missed${missed.length ? ` (${missed.map((f) => f.name).join('; ')})` : ''}. A target is judged on the median unless it names p95.`,
    '',
    '## Figures',
    '',
    figureTable(r.figures),
    '',
    s ? casesSection(s) : '',
    '',
    s ? ladderSection(s) : '',
    '',
    s ? calibrationSection(s) : '',
    '',
    s ? schedulingSection(s) : '',
    '',
    s ? profilesSection(s) : '',
    '',
    othersSection(r.others),
    '',
    r.findings ? `## Findings\n\n${r.findings.replace(/^#+ .*\n+/, '').trim()}` : '',
    '',
    s?.errors.length
      ? `## Errors in this session\n\n${s.errors.map((e) => `- ${e}`).join('\n')}`
      : '',
  ];
  return `${parts
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
