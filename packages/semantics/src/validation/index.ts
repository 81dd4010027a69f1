/**
 * Static semantics: the validation registry, the built-in rules of CONTRACTS section 2,
 * whole-graph and incremental validation, and test helpers.
 */
export { EdgeView, GraphModel, NodeView, PortView } from './model.js';
export {
  RULE_EXCEPTION,
  ValidationRegistry,
  type AcceptInfo,
  type Acceptor,
  type ElementKind,
  type ElementOf,
  type RegisteredRule,
  type RuleObserver,
  type RuleOptions,
  type RuleTag,
  type ValidationMode,
  type ValidationRule,
} from './registry.js';
export { registerBuiltinRules } from './rules.js';
export {
  checkExecutorCapability,
  hasDevice,
  satisfies,
  type CapabilityCheck,
} from './capabilities.js';
export { STRUCTURAL_CONSTRAINTS } from './structural-constraints.js';
export {
  createValidationSetup,
  validateDocument,
  validateGraph,
  type ValidateOptions,
  type ValidationResult,
  type ValidationSetup,
} from './validate.js';
export {
  createIncrementalValidator,
  type GraphChange,
  type IncrementalValidator,
} from './incremental.js';
export {
  createTestLibrary,
  edge,
  exampleGraph,
  expectError,
  expectIssue,
  expectNoIssue,
  expectNoIssues,
  expectWarning,
  graphOf,
  node,
  testNodeType,
  type DiagnosticMatch,
} from './testing.js';
