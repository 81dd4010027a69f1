import {
  diagnostic,
  hasErrors,
  loadGraph,
  type Diagnostic,
  type Graph,
  type NodeLibrary,
} from '@reelflow/fbp-model';
import {
  parseConstraintsCached,
  registerConstraints,
  toParsed,
  type ParsedConstraints,
} from '../ocl/constraints.js';
import type { EvalLimits } from '../ocl/evaluator.js';
import { GraphModel } from './model.js';
import { RULE_EXCEPTION, ValidationRegistry, type ValidationMode } from './registry.js';
import { checkExecutorCapability, type CapabilityCheck } from './capabilities.js';
import { registerBuiltinRules } from './rules.js';
import { STRUCTURAL_CONSTRAINTS } from './structural-constraints.js';

export interface ValidateOptions {
  /** `fast`: the rules tagged fast (every edit); `all` (default): fast and slow. */
  readonly mode?: ValidationMode;
  /** User constraint files, parsed or as text. */
  readonly constraints?: readonly (ParsedConstraints | string)[];
  /** Bounds on constraint evaluation (steps, closure size). */
  readonly limits?: EvalLimits;
  /**
   * What the executor's machines offer: with it, `executor-capability` reports nodes no
   * machine can run (placement, devices), at `severity` (default error).
   */
  readonly capabilities?: CapabilityCheck;
}

/** Everything a validation run checks: the registry plus the constraint files' syntax errors. */
export interface ValidationSetup {
  readonly registry: ValidationRegistry;
  /** `ocl-syntax` problems of the constraint files, reported with every result. */
  readonly syntax: readonly Diagnostic[];
}

/**
 * Build the registry for a library: the TypeScript built-ins, the structural constraints,
 * the constraints each node type ships (`NodeTypeDef.constraints`) and the user's.
 */
export function createValidationSetup(
  library: NodeLibrary,
  options: ValidateOptions = {},
): ValidationSetup {
  const registry = new ValidationRegistry();
  registerBuiltinRules(registry);
  if (options.capabilities)
    registry.register('node', checkExecutorCapability(options.capabilities), {
      code: 'executor-capability',
      tags: ['fast'],
    });
  const shipped = [
    parseConstraintsCached(STRUCTURAL_CONSTRAINTS, 'structural.ocl'),
    ...library
      .types()
      .flatMap((def) =>
        def.constraints ? [parseConstraintsCached(def.constraints, `${def.type}.ocl`)] : [],
      ),
  ];
  const user = toParsed(options.constraints ?? []);
  registerConstraints(registry, [...shipped, ...user], library, { limits: options.limits });
  return { registry, syntax: [...shipped, ...user].flatMap((f) => f.diagnostics) };
}

/** Syntax diagnostics name the graph they were reported with. */
export const syntaxFor = (setup: ValidationSetup, graph: Graph): Diagnostic[] =>
  setup.syntax.map((d) => ({ ...d, element: { kind: 'graph', id: graph.id } }));

/**
 * Validate a loaded graph against a library: built-in rules plus constraints. Never throws;
 * a failing rule becomes a `rule-exception` diagnostic.
 */
export function validateGraph(
  graph: Graph,
  library: NodeLibrary,
  options: ValidateOptions = {},
): Diagnostic[] {
  try {
    const setup = createValidationSetup(library, options);
    const model = new GraphModel(graph, library);
    return [...syntaxFor(setup, graph), ...setup.registry.validate(model, options.mode ?? 'all')];
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return [
      diagnostic(RULE_EXCEPTION, 'error', `validation failed: ${reason}`, {
        kind: 'graph',
        id: graph?.id ?? '',
      }),
    ];
  }
}

/** The answer of the CLI's `validate --json` and of `POST /api/validate`. */
export interface ValidationResult {
  readonly valid: boolean;
  readonly diagnostics: Diagnostic[];
}

/**
 * Validate a parsed JSON document: schema first (`loadGraph`), then the rules. A document
 * that does not match the schema gets only its `schema` diagnostics.
 */
export function validateDocument(
  doc: unknown,
  library: NodeLibrary,
  options: ValidateOptions = {},
): ValidationResult {
  const loaded = loadGraph(doc);
  const diagnostics = loaded.graph
    ? validateGraph(loaded.graph, library, options)
    : loaded.diagnostics;
  return { valid: !hasErrors(diagnostics), diagnostics };
}
