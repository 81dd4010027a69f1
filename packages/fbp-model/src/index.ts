/**
 * The Reelflow metamodel: graph documents, node-type interfaces, diagnostics, migrations,
 * and import/export. Pure: no I/O.
 */
export * from './diagnostic.js';
export * from './graph.js';
export * from './nodetype.js';
export * from './migrations.js';
export * from './load.js';
export * from './fbp-json.js';
export * from './dot.js';
export * from './protocol.js';
