import { z } from 'zod';
import type { CompileContext, ExpectedOutput, Token, TaskSpec } from '@reelflow/fbp-model';
import type { Via } from './paths.js';

/**
 * Swarm placement constraints we accept: `node.role`, `node.hostname`, `node.id`,
 * `node.platform.os|arch` and `node.labels.<name>` compared with `==`/`!=` to a plain value.
 * Strict on purpose: the string goes to the Docker API as is.
 */
export const PLACEMENT_PATTERN =
  /^node\.(role|hostname|id|platform\.(os|arch)|labels\.[A-Za-z0-9_.-]+)\s*(==|!=)\s*[A-Za-z0-9_.-]+$/;

/** Label keys of a task (CONTRACTS section 5), plus the `via` its outputs are reached by. */
export const LABEL_RUN = 'reelflow.run';
export const LABEL_NODE = 'reelflow.node';
export const LABEL_TASK = 'reelflow.task';
/** Set on tasks whose outputs become tokens; sinks (published files only) carry none. */
export const LABEL_VIA = 'reelflow.via';

/** Defaults of the resource parameters, chosen per node type. */
export interface ResourceDefaults {
  readonly cpus: number;
  readonly memoryMb: number;
}

/**
 * The parameters every task-running node has: retries, resource reservation and placement.
 * Each node type merges them into its own schema with its own resource defaults.
 */
export function taskParams(defaults: ResourceDefaults) {
  return {
    retries: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe('How many times a failed task is retried (0–10).'),
    cpus: z
      .number()
      .min(0.1)
      .max(64)
      .default(defaults.cpus)
      .describe('CPU cores reserved for each task (0.1–64).'),
    memoryMb: z
      .number()
      .int()
      .min(64)
      .max(262144)
      .default(defaults.memoryMb)
      .describe('Memory reserved for each task, in MiB (64–262144).'),
    placement: z
      .array(
        z
          .string()
          .regex(
            PLACEMENT_PATTERN,
            'must look like node.role==worker, node.hostname!=a or node.labels.gpu==true',
          ),
      )
      .max(16)
      .default([])
      .describe(
        'Swarm placement constraints, e.g. ["node.role==worker", "node.labels.gpu==true"].',
      ),
  };
}

/** The resolved common parameters, as compile() sees them. */
export interface TaskParams {
  readonly retries: number;
  readonly cpus: number;
  readonly memoryMb: number;
  readonly placement: readonly string[];
}

/** What a node type decides about one task; `task()` fills in the rest the same way for all. */
export interface TaskParts {
  readonly argv: readonly string[];
  readonly outputs: readonly ExpectedOutput[];
  /** How the outputs are reached, when they become tokens; omitted for sinks. */
  readonly via?: Via;
  readonly inputs?: readonly Token[];
  readonly files?: TaskSpec['files'];
  readonly env?: TaskSpec['env'];
  readonly durationSeconds?: number;
  /** Text files the task writes for the node type's `review()` to read back. */
  readonly reports?: readonly string[];
  /**
   * The round of the firing this task belongs to (0 for `compile()`'s, 1 for a review's next
   * tasks): later rounds get their own key, since the executor may still hold the first.
   */
  readonly round?: number;
}

/** Build the TaskSpec of firing `ctx` from the node-specific parts. */
export function task<P extends TaskParams>(ctx: CompileContext<P>, parts: TaskParts): TaskSpec {
  const key =
    parts.round === undefined || parts.round === 0
      ? `${ctx.node.id}:${ctx.index}`
      : `${ctx.node.id}:${ctx.index}~${parts.round}`;
  const labels: Record<string, string> = {
    [LABEL_RUN]: ctx.runId,
    [LABEL_NODE]: ctx.node.id,
    [LABEL_TASK]: key,
  };
  if (parts.via !== undefined) labels[LABEL_VIA] = parts.via;
  const reportsProgress = parts.argv.includes('-progress');
  return {
    key,
    nodeId: ctx.node.id,
    index: ctx.index,
    image: ctx.image,
    argv: parts.argv,
    mounts: [],
    resources: { cpus: ctx.params.cpus, memoryBytes: ctx.params.memoryMb * 1024 * 1024 },
    placement: ctx.params.placement,
    labels,
    outputs: parts.outputs,
    inputs: parts.inputs ?? ctx.inputs,
    ...(parts.files === undefined ? {} : { files: parts.files }),
    ...(parts.env === undefined ? {} : { env: parts.env }),
    ...(reportsProgress ? { reportsProgress } : {}),
    ...(parts.durationSeconds === undefined ? {} : { durationSeconds: parts.durationSeconds }),
    ...(parts.reports === undefined ? {} : { reports: parts.reports }),
  };
}

/** The single token a map, fanout or sink firing consumes, with a clear error when missing. */
export function onlyInput(ctx: CompileContext<unknown>): Token {
  const token = ctx.inputs[0];
  if (token === undefined || ctx.inputs.length !== 1) {
    throw new Error(
      `Node ${JSON.stringify(ctx.node.id)} expects exactly one input token, got ${ctx.inputs.length}.`,
    );
  }
  return token;
}
