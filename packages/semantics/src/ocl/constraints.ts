import { diagnostic, type Diagnostic, type Graph, type NodeLibrary } from '@reelflow/fbp-model';
import { formatPosition, type Constraint, type MessagePart, type SourcePosition } from './ast.js';
import { DEFAULT_LIMITS, Evaluator, OclEvalError, type EvalLimits } from './evaluator.js';
import { parseOcl } from './parser.js';
import { typeCheck, type TypeProblem } from './typecheck.js';
import { OclInvalid, formatValue, type Value } from './values.js';
import { EdgeView, GraphModel, NodeView, PortView } from '../validation/model.js';
import {
  ValidationRegistry,
  type Acceptor,
  type ElementKind,
  type RuleTag,
} from '../validation/registry.js';

/** Code of a syntax error in a constraint file. */
export const OCL_SYNTAX = 'ocl-syntax';
/** Code of a constraint that could not be evaluated on an element. */
export const OCL_EVAL = 'ocl-eval';

/** The result of parsing one constraint file. */
export interface ParsedConstraints {
  /** File name or other label used in messages. */
  readonly source: string;
  readonly constraints: readonly Constraint[];
  /** `ocl-syntax` diagnostics, each with `source:line:column` in its message. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parse constraint text (CONTRACTS section 4). Never throws; a syntax error becomes an
 * `ocl-syntax` diagnostic and parsing resumes at the next `inv` or `context`.
 */
export function parseConstraints(
  text: string,
  options: { source?: string } = {},
): ParsedConstraints {
  const source = options.source ?? 'constraints';
  const { constraints, problems } = parseOcl(text, source);
  const diagnostics = problems.map((p) =>
    diagnostic(OCL_SYNTAX, 'error', `${source}:${formatPosition(p.pos)}: ${p.message}`, {
      kind: 'graph',
      id: '',
    }),
  );
  return { source, constraints, diagnostics };
}

const parseCache = new Map<string, ParsedConstraints>();

/** Parse with a cache keyed by text, for constraint text that is shipped with the code. */
export function parseConstraintsCached(text: string, source: string): ParsedConstraints {
  const key = `${source}\u0000${text}`;
  let parsed = parseCache.get(key);
  if (!parsed) {
    parsed = parseConstraints(text, { source });
    parseCache.set(key, parsed);
  }
  return parsed;
}

/** Accept both forms callers have: parsed files, or raw text to parse here. */
export function toParsed(input: readonly (ParsedConstraints | string)[]): ParsedConstraints[] {
  return input.map((c, i) =>
    typeof c === 'string' ? parseConstraintsCached(c, `constraints#${i + 1}`) : c,
  );
}

const where = (c: Constraint): string => `${c.source}:${formatPosition(c.pos)}`;

/** Which element kind a context names, or undefined when it is a node type name. */
function contextKind(context: string): ElementKind | undefined {
  switch (context) {
    case 'Node':
      return 'node';
    case 'Edge':
      return 'edge';
    case 'Port':
      return 'port';
    case 'Graph':
      return 'graph';
    default:
      return undefined;
  }
}

/**
 * Register each constraint as a rule on the element kind its context names. A context that
 * is neither a metamodel kind nor a node type of the library, and a constraint with type
 * errors, are reported once, on the graph, as `ocl-eval`.
 */
export function registerConstraints(
  registry: ValidationRegistry,
  files: readonly ParsedConstraints[],
  library: NodeLibrary,
  options: { tags?: readonly RuleTag[]; limits?: EvalLimits } = {},
): void {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const evaluator = new Evaluator(limits);
  const tags = options.tags ?? ['fast'];
  for (const file of files) {
    for (const constraint of file.constraints) {
      const name = `ocl:${constraint.name}`;
      const kind = contextKind(constraint.context);
      const nodeType = kind ? undefined : library.get(constraint.context)?.type;
      if (!kind && !nodeType) {
        registry.register('graph', unknownContext(constraint, library), {
          code: OCL_EVAL,
          tags,
          name,
        });
        continue;
      }
      const problems = safeTypeCheck(constraint, library);
      if (problems.length > 0) {
        // It would fail the same way on every element: say so once, and do not evaluate it.
        registry.register('graph', typeProblems(constraint, problems), {
          code: OCL_EVAL,
          tags,
          name,
        });
        continue;
      }
      const check = constraintCheck(constraint, evaluator, limits);
      registry.register(kind ?? 'node', check, { code: constraint.name, tags, name, nodeType });
    }
  }
}

function unknownContext(c: Constraint, library: NodeLibrary) {
  return (_graph: unknown, accept: Acceptor): void => {
    const types = library.types().map((t) => t.type);
    accept(
      'error',
      `${where(c)}: constraint '${c.name}' has unknown context '${c.context}'; use Node, Edge, Port, Graph or a node type (${types.join(', ')})`,
    );
  };
}

/** The parser bounds tree depth; should a tree still overflow the stack, say so, not throw. */
function safeTypeCheck(c: Constraint, library: NodeLibrary): TypeProblem[] {
  try {
    return typeCheck(c, library);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return [{ message: `too deeply nested to check (${err.message})`, pos: c.body.pos }];
  }
}

function typeProblems(c: Constraint, problems: readonly TypeProblem[]) {
  return (_graph: unknown, accept: Acceptor): void => {
    for (const p of problems)
      accept(
        'error',
        `constraint '${c.name}' (${c.source}:${formatPosition(p.pos)}): ${p.message}`,
      );
  };
}

/** The graph an element belongs to, whose validation run a budget is counted for. */
function modelOf(v: Value): GraphModel | undefined {
  if (v instanceof GraphModel) return v;
  if (v instanceof NodeView || v instanceof EdgeView) return v.model;
  if (v instanceof PortView) return v.node.model;
  return undefined;
}

/**
 * The rule that evaluates one constraint on one element. Besides the per-element step
 * limit, steps are counted per graph, so a constraint that is quadratic in the graph (a
 * closure from every node) stops with one diagnostic instead of stalling the editor.
 */
function constraintCheck(c: Constraint, evaluator: Evaluator, limits: EvalLimits) {
  const spent = new WeakMap<GraphModel, number>();
  return (self: Value, accept: Acceptor): void => {
    const model = modelOf(self);
    const used = (model && spent.get(model)) ?? 0;
    if (used > limits.maxStepsPerGraph) return; // reported once, when the budget ran out
    let steps = 0;
    try {
      steps = evaluateOn(c, self, evaluator, accept);
    } finally {
      const total = used + (steps || evaluator.lastSteps);
      if (model) spent.set(model, total);
      if (total > limits.maxStepsPerGraph) {
        const message = `constraint '${c.name}' (${where(c)}) gave up on this graph after ${total} evaluation steps, leaving some elements unchecked; is it quadratic in the graph's size?`;
        accept('error', message, { code: OCL_EVAL });
      }
    }
  };
}

/** Evaluate and report; returns the steps the body took (messages are not counted). */
function evaluateOn(c: Constraint, self: Value, evaluator: Evaluator, accept: Acceptor): number {
  let result: Value;
  try {
    result = evaluator.run(c.body, self);
  } catch (err) {
    const failure = evaluationFailure(err, c);
    accept(
      'error',
      `constraint '${c.name}' (${c.source}:${formatPosition(failure.pos)}): ${failure.message}`,
      {
        code: OCL_EVAL,
      },
    );
    return evaluator.lastSteps;
  }
  const steps = evaluator.lastSteps;
  if (result === false) accept(c.severity, violationMessage(c, self, evaluator));
  else if (result instanceof OclInvalid) {
    // `invalid` keeps the first failure's reason and place.
    accept(
      'error',
      `constraint '${c.name}' (${c.source}:${formatPosition(result.pos)}): ${result.reason}; the constraint is invalid on ${formatValue(self)}`,
      { code: OCL_EVAL },
    );
  } else if (result === null) {
    accept(
      'error',
      `constraint '${c.name}' (${where(c)}) is null on ${formatValue(self)}, neither true nor false: a null reached a Boolean operator or was the result (guard it with oclIsUndefined())`,
      { code: OCL_EVAL },
    );
  } else if (result !== true) {
    accept(
      'error',
      `constraint '${c.name}' (${where(c)}) must be a Boolean but gave ${formatValue(result)}`,
      { code: OCL_EVAL },
    );
  }
  return steps;
}

/** An evaluation error, or a stack overflow on a deep tree, as a message and a place. */
function evaluationFailure(err: unknown, c: Constraint): { message: string; pos: SourcePosition } {
  if (err instanceof OclEvalError) return err;
  if (err instanceof RangeError)
    return { message: `too deeply nested to evaluate (${err.message})`, pos: c.body.pos };
  throw err;
}

/** The constraint's message with `{expressions}` filled in, or a generated one. */
function violationMessage(c: Constraint, self: Value, evaluator: Evaluator): string {
  if (!c.message) return `constraint '${c.name}' is violated by ${formatValue(self)}`;
  return c.message
    .map((part: MessagePart) => (typeof part === 'string' ? part : fillIn(part, self, evaluator)))
    .join('');
}

function fillIn(expr: Exclude<MessagePart, string>, self: Value, evaluator: Evaluator): string {
  try {
    const v = evaluator.run(expr, self);
    return v instanceof OclInvalid ? '?' : formatValue(v);
  } catch {
    // A message must never hide the violation it reports.
    return '?';
  }
}

/**
 * Evaluate parsed constraints on a graph. Violations carry the constraint's name as code,
 * its severity and message; evaluation errors are `ocl-eval` with their position.
 */
export function evaluateConstraints(
  graph: Graph,
  library: NodeLibrary,
  constraints: readonly (ParsedConstraints | string)[],
  options: { limits?: EvalLimits } = {},
): Diagnostic[] {
  const registry = new ValidationRegistry();
  const files = toParsed(constraints);
  registerConstraints(registry, files, library, options);
  const syntax = files.flatMap((f) =>
    f.diagnostics.map((d) => ({ ...d, element: { kind: 'graph' as const, id: graph.id } })),
  );
  return [...syntax, ...registry.validate(new GraphModel(graph, library), 'all')];
}
