/**
 * The operational semantics of Reelflow graphs: a pure, deterministic step function over
 * plain-data run states (shared by the runtime's scheduler and the designer's simulator),
 * the node/run/task lifecycles as XState machines, the cost model and the simulator.
 */
export * from './types.js';
export * from './machines.js';
export * from './engine.js';
export * from './cost.js';
export * from './simulator.js';
export type { PVec } from './pvec.js';
