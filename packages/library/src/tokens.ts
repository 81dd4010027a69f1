import type { ExpectedOutput, TaskSpec, Token } from '@reelflow/fbp-model';
import { LABEL_VIA } from './common.js';
import type { Via } from './paths.js';

/** One line of an ffmpeg segment list: a chunk file and where it sits in the source (seconds). */
export interface SegmentEntry {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** Split one CSV line into fields; ffmpeg double-quotes a file name holding `,` or `"`. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i++; // the comma after the closing quote
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/**
 * Parse the CSV segment list ffmpeg's segment muxer writes (`-segment_list_type csv`):
 * one `file,start,end` line per chunk. Throws, naming the line, on anything else.
 */
export function parseSegmentList(csvText: string): SegmentEntry[] {
  return csvText
    .split(/\r?\n/)
    .map((line, n) => ({ line, n: n + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, n }) => {
      const [file, start, end, ...rest] = csvFields(line);
      const s = Number(start);
      const e = Number(end);
      if (
        !file ||
        rest.length > 0 ||
        start === '' ||
        end === '' ||
        !Number.isFinite(s) ||
        !Number.isFinite(e) ||
        e < s
      ) {
        throw new Error(`Segment list line ${n} is not "file,start,end": ${JSON.stringify(line)}`);
      }
      return { file, start: s, end: e };
    });
}

/** Base name of a relative path. */
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Facts of the consumed token that still hold for the output of a one-in, one-out task. */
function inherited(spec: TaskSpec): Partial<Token> {
  if (spec.inputs.length !== 1) {
    // A join: the output is the whole video again, as long as all its chunks together.
    const total = spec.inputs.reduce<number | undefined>(
      (sum, t) =>
        sum === undefined || t.durationSeconds === undefined ? undefined : sum + t.durationSeconds,
      0,
    );
    return total === undefined || spec.inputs.length === 0 ? {} : { durationSeconds: total };
  }
  const { group, startSeconds, durationSeconds } = spec.inputs[0]!;
  return { group, startSeconds, durationSeconds };
}

/** Drop undefined fields so tokens compare and serialise cleanly. */
function clean(token: Token): Token {
  return Object.fromEntries(
    Object.entries(token).filter(([, v]) => v !== undefined),
  ) as unknown as Token;
}

/** The chunk tokens of a `dir` output: every matching file, in name order, timed by the segment list. */
function dirTokens(
  spec: TaskSpec,
  output: Extract<ExpectedOutput, { kind: 'dir' }>,
  files: readonly string[],
  via: Via,
  segmentListText: string | undefined,
): Token[] {
  const prefix = `${output.dir}/`;
  const found = files
    .filter(
      (f) =>
        f.startsWith(prefix) && !f.slice(prefix.length).includes('/') && f.endsWith(output.suffix),
    )
    .sort();
  const timing = new Map(
    (segmentListText === undefined ? [] : parseSegmentList(segmentListText)).map((e) => [
      e.file,
      e,
    ]),
  );
  const groupId = `${spec.nodeId}#${spec.index}`;
  return found.map((path, index) => {
    const entry = timing.get(baseName(path));
    return clean({
      id: `${spec.key}/${index}`,
      dataType: output.dataType,
      path,
      via,
      group: { id: groupId, origin: spec.nodeId, index, count: found.length },
      startSeconds: entry?.start,
      durationSeconds: entry === undefined ? undefined : entry.end - entry.start,
    });
  });
}

/**
 * Turn a finished task into the tokens it emits. `files` are the paths (relative to the run
 * directory) the runtime found after the task; `segmentListText` is the content of a `dir`
 * output's segment list, when it has one. A task without the `reelflow.via` label (a sink)
 * emits no tokens. One implementation for the runtime and the tests.
 */
export function outputTokens(
  spec: TaskSpec,
  files: readonly string[],
  segmentListText?: string,
): Token[] {
  const via = spec.labels[LABEL_VIA] as Via | undefined;
  if (via === undefined) return [];
  return spec.outputs.flatMap((output, n): Token[] =>
    output.kind === 'dir'
      ? dirTokens(spec, output, files, via, segmentListText)
      : [
          clean({
            ...inherited(spec),
            id: `${spec.key}/${n}`,
            dataType: output.dataType,
            path: output.path,
            via,
          }),
        ],
  );
}
