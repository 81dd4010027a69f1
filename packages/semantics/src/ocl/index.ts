/**
 * The OCL subset of CONTRACTS section 4: parse constraint files, type-check them against
 * the library, evaluate them on graphs with the OCL 2.4 standard library's semantics
 * (`invalid` as a value, four-valued Boolean operators, unbounded Integer). docs/ocl.md
 * lists the subset, the operations, the extensions (a `Port` context, hyphenated
 * constraint names, `{expression}` parts in messages, implicit collect) and the
 * differences from OCL 2.4 that remain.
 */
export type { Constraint, ConstraintSeverity, Expr, SourcePosition } from './ast.js';
export { formatPosition } from './ast.js';
export { OCL_KEYWORDS } from './lexer.js';
export {
  OCL_EVAL,
  OCL_SYNTAX,
  evaluateConstraints,
  parseConstraints,
  registerConstraints,
  type ParsedConstraints,
} from './constraints.js';
export { DEFAULT_LIMITS, ELEMENT_PROPERTIES, OPERATIONS, type EvalLimits } from './evaluator.js';
export { PROPERTY_TYPES, typeCheck, type OclType, type TypeProblem } from './typecheck.js';
