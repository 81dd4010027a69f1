/**
 * The OCL subset of CONTRACTS section 4: parse constraint files, type-check them against
 * the library, evaluate them on graphs. Additions to the contract (see README.md): a `Port`
 * context, hyphenated constraint names, `{expression}` parts in messages, `Set{..}` and
 * `Sequence{..}` literals, implicit collect (`self.nodes.type`), and a few more operations.
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
export { DEFAULT_LIMITS, ELEMENT_PROPERTIES, type EvalLimits } from './evaluator.js';
export { PROPERTY_TYPES, typeCheck, type OclType, type TypeProblem } from './typecheck.js';
