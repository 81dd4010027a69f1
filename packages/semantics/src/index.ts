/**
 * Reelflow semantics: static (validation registry, OCL-subset constraints) and operational
 * (token-passing step function, simulator, cost model). Pure: no I/O, no timers.
 */
export * from './validation/index.js';
export * from './ocl/index.js';
export * from './engine/index.js';
export * from './admission.js';
