import type {
  CompileContext,
  NodeTypeDef,
  StorageView,
  TaskSpec,
  Token,
} from '@reelflow/fbp-model';

/** Options of {@link compileNode}; everything has a test-friendly default. */
export interface CompileOptions {
  readonly nodeId?: string;
  readonly inputs?: readonly Token[];
  readonly index?: number;
  readonly storage?: StorageView;
  readonly runId?: string;
  readonly image?: string;
}

/**
 * Compile one firing of `def` with raw `params` (parsed through the node type's schema, so
 * defaults apply and invalid params throw). A helper for tests here and in other packages.
 */
export function compileNode<P>(
  def: NodeTypeDef<P>,
  params: unknown,
  options: CompileOptions = {},
): TaskSpec[] {
  const nodeId = options.nodeId ?? def.type;
  const ctx: CompileContext<P> = {
    runId: options.runId ?? 'run-1',
    node: { id: nodeId, type: def.type, params: (params ?? {}) as Record<string, unknown> },
    params: def.params.parse(params ?? {}),
    inputs: options.inputs ?? [],
    index: options.index ?? 0,
    storage: options.storage ?? {
      root: '/run',
      httpBase: 'http://127.0.0.1:8080/api/runs/run-1/files',
    },
    image: options.image ?? 'reelflow/ffmpeg:test',
  };
  return def.compile(ctx);
}

/** A video token as the runtime makes for an upload. */
export function videoToken(overrides: Partial<Token> = {}): Token {
  return {
    id: 'src',
    dataType: 'video',
    path: 'input/source.mp4',
    durationSeconds: 60,
    codec: 'h264',
    ...overrides,
  };
}

/** Chunk `index` of `count` from split `origin`, as outputTokens makes them. */
export function chunkToken(index: number, count = 3, overrides: Partial<Token> = {}): Token {
  const origin = 'split';
  return {
    id: `${origin}:0/${index}`,
    dataType: 'chunk',
    path: `work/${origin}/chunk_${String(index).padStart(5, '0')}.ts`,
    via: 'shared',
    group: { id: `${origin}#0`, origin, index, count },
    startSeconds: index * 10,
    durationSeconds: 10,
    ...overrides,
  };
}
