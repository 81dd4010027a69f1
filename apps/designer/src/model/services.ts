import type { Diagnostic, ExecutorCapabilities, Graph, NodeLibrary } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import {
  createIncrementalValidator,
  createSimulator,
  simulateGraph,
  validateGraph,
  type SimulateGraphOptions,
  type SimulationReport,
  type Simulator,
  type SimulatorOptions,
} from '@reelflow/semantics';

/**
 * What the designer needs from the model and semantics packages, behind one interface so a
 * store can be made with another library in tests, and so the wiring lives in one file.
 */
export interface DesignerServices {
  readonly library: NodeLibrary;
  /** Fast rules, called on every edit; re-checks only what changed since the last call. */
  validateFast(graph: Graph): Diagnostic[];
  /** Every rule (fast and slow) plus the project's constraints in the OCL subset. */
  validateAll(graph: Graph, constraints: string): Diagnostic[];
  /**
   * The runtime's machines (`GET /api/executor/capabilities`, fetched once at start): from
   * then on both validations warn about nodes they cannot run (`executor-capability`).
   */
  setCapabilities(capabilities: ExecutorCapabilities | undefined): void;
  createSimulator(graph: Graph, options: SimulatorOptions): Simulator;
  simulate(graph: Graph, options: SimulateGraphOptions): SimulationReport;
}

/** The services of the real packages, over `lib` (the node library by default). */
export function createServices(lib: NodeLibrary = library): DesignerServices {
  // Unchanged nodes keep their identity through edits (applyGraphChanges), so the validator
  // finds what changed by reference and re-checks only that.
  let capabilities: { capabilities: ExecutorCapabilities; severity: 'warning' } | undefined;
  let incremental = createIncrementalValidator(lib, { mode: 'fast' });
  return {
    library: lib,
    validateFast: (graph) => incremental.update(graph),
    validateAll: (graph, constraints) =>
      validateGraph(graph, lib, {
        mode: 'all',
        constraints: constraints.trim() ? [constraints] : [],
        ...(capabilities ? { capabilities } : {}),
      }),
    setCapabilities: (caps) => {
      capabilities = caps ? { capabilities: caps, severity: 'warning' } : undefined;
      incremental = createIncrementalValidator(lib, {
        mode: 'fast',
        ...(capabilities ? { capabilities } : {}),
      });
    },
    createSimulator: (graph, options) => createSimulator(graph, lib, options),
    simulate: (graph, options) => simulateGraph(graph, lib, options),
  };
}
