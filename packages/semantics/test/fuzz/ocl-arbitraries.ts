/**
 * Inputs for fuzzing the constraint language (CONTRACTS section 4): grammar-aware generation
 * of well-formed expressions and constraint files, mutations of valid constraints, token soup
 * and random text.
 */
import fc from 'fast-check';
import { OCL_KEYWORDS } from '@reelflow/semantics';

/** The examples of CONTRACTS section 4 and a few more that use the rest of the grammar. */
export const VALID_CONSTRAINTS = [
  '-- a comment',
  "context encode inv crfRange warning 'CRF above 30 looks blurry': self.params.crf <= 30",
  'context Node inv labelled: self.label <> null implies self.label.size() > 0',
  'context merge inv oneSplit: self.inputs->collect(e | e.source)->asSet()->size() >= 1',
  "context Graph inv named info 'graph {self.id} has no name': self.name <> ''",
  'context Edge inv typed: self.source <> null and self.target <> null',
  'context Node inv reach: self->closure(n | n.successors)->excludes(self)',
  'context Graph inv uniq: self.nodes->isUnique(n | n.id) and self.edges->forAll(e | e.id.size() > 0)',
  'context split inv seg: let s = self.params.segmentSeconds in if s = null then true else s > 0 endif',
  "context Node inv pick: self.outputs->select(e | e.targetPort = 'in')->reject(e | e.target = null)->size() >= 0",
];

export const VALID_FILE = VALID_CONSTRAINTS.join('\n');

const CONTEXTS = [
  'Node',
  'Edge',
  'Graph',
  'Port',
  'encode',
  'merge',
  'split',
  'transfer',
  'source',
  'stream',
];
const PROPERTIES = [
  'id',
  'type',
  'label',
  'params',
  'params.crf',
  'params.codec',
  'inputs',
  'outputs',
  'predecessors',
  'successors',
  'source',
  'target',
  'sourcePort',
  'targetPort',
  'nodes',
  'edges',
  'name',
];
const COLLECTION_OPS = [
  'at(1)',
  'max()',
  'including(1)',
  'size()',
  'isEmpty()',
  'notEmpty()',
  'asSet()',
  'sum()',
  'first()',
  'last()',
];
const ITERATORS = [
  'forAll',
  'exists',
  'select',
  'reject',
  'collect',
  'isUnique',
  'closure',
  'any',
  'one',
];
const BINARY_OPS = [
  'and',
  'or',
  'xor',
  'implies',
  '=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
];
const VARIABLES = ['x', 'y', 'e', 'n'];

/** A string literal of harmless characters (quotes are covered by the mutation fuzzers). */
const stringLiteral = fc
  .string({ unit: fc.constantFrom(...'abc xyz019_-'), maxLength: 8 })
  .map((s) => `'${s}'`);

const atom = fc.oneof(
  fc.constantFrom('self', 'null', 'invalid', 'true', 'false', ...VARIABLES),
  fc.constantFrom(...PROPERTIES).map((p) => `self.${p}`),
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => d.toFixed(2)),
  fc.constantFrom('3.1e1', '1E-3', '99999999999999999999', "'a\\nb'", "'\\u00e9'"),
  stringLiteral,
);

/**
 * Well-formed expressions of the grammar. Every compound is parenthesised where precedence
 * could change its meaning, so each generated text parses; evaluation may still fail (types,
 * null navigation), which must then be an `ocl-eval` diagnostic.
 */
export const oclExpression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => {
  const expr = tie('expr');
  return {
    expr: fc.oneof(
      { depthSize: 'small', maxDepth: 5, withCrossShrink: true },
      atom,
      fc.tuple(expr, fc.constantFrom(...BINARY_OPS), expr).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(fc.constantFrom('not ', '- '), expr).map(([op, a]) => `${op}(${a})`),
      expr.map((a) => `(${a})`),
      fc.tuple(expr, expr, expr).map(([c, a, b]) => `if ${c} then ${a} else ${b} endif`),
      fc
        .tuple(fc.constantFrom(...VARIABLES), expr, expr)
        .map(([v, a, b]) => `let ${v} = ${a} in ${b}`),
      fc
        .tuple(expr, fc.constantFrom(...PROPERTIES, 'size()', 'oclIsUndefined()'))
        .map(([a, p]) => `(${a}).${p}`),
      fc.tuple(expr, fc.constantFrom(...COLLECTION_OPS)).map(([a, op]) => `(${a})->${op}`),
      fc
        .tuple(expr, fc.constantFrom('includes', 'excludes'), expr)
        .map(([a, op, b]) => `(${a})->${op}(${b})`),
      fc
        .tuple(expr, fc.constantFrom(...ITERATORS), fc.constantFrom(...VARIABLES), expr)
        .map(([a, op, v, body]) => `(${a})->${op}(${v} | ${body})`),
      fc
        .tuple(
          fc.constantFrom('Set', 'OrderedSet', 'Bag', 'Sequence'),
          fc.array(
            fc.oneof(
              expr,
              fc.tuple(expr, expr).map(([a, b]) => `${a}..${b}`),
            ),
            {
              maxLength: 3,
            },
          ),
        )
        .map(([kind, items]) => `${kind}{${items.join(', ')}}`),
      fc
        .tuple(expr, fc.constantFrom('oclIsInvalid()', 'toString()', 'abs()', 'div(2)'))
        .map(([a, op]) => `(${a}).${op}`),
    ),
  };
}).expr;

/** One invariant: a context, a name, optional severity and message, and a generated body. */
export const oclConstraint: fc.Arbitrary<string> = fc
  .record({
    context: fc.constantFrom(...CONTEXTS),
    name: fc.constantFrom('a', 'crfRange', 'split-merge-mismatch', 'g1'),
    severity: fc.constantFrom('', ' error', ' warning', ' info'),
    message: fc.constantFrom('', " 'broken'", " 'bad {self.id}'"),
    body: oclExpression,
  })
  .map((c) => `context ${c.context} inv ${c.name}${c.severity}${c.message}: ${c.body}`);

/** A constraint file of generated invariants. */
export const oclFile: fc.Arbitrary<string> = fc
  .array(oclConstraint, { minLength: 1, maxLength: 4 })
  .map((lines) => lines.join('\n'));

const TOKENS = [
  ...OCL_KEYWORDS,
  'self',
  'Node',
  'Edge',
  'Graph',
  'encode',
  'Set{',
  '}',
  '(',
  ')',
  '.',
  '->',
  ':',
  '|',
  ',',
  '=',
  '<>',
  '<=',
  '>=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  "'",
  "'x'",
  "''",
  '{',
  '--',
  '\n',
  '0',
  '1.5',
  '99999999999999999999',
  'x',
  'forAll',
  'closure',
  'size',
  'warning',
  "'{self.id}'",
];

/** Random sequences of the language's own tokens, sometimes behind a valid header. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', 'context Node inv a: ', 'context Graph inv '),
    fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }),
  )
  .map(([head, tokens]) => head + tokens.join(' '));

/** Text damage to a valid file: cut, delete, duplicate or insert at random places. */
export const mutatedConstraints: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.constant(VALID_FILE), oclFile),
    fc.array(
      fc.tuple(
        fc.constantFrom('truncate', 'delete', 'duplicate', 'insert'),
        fc.nat(),
        fc.nat({ max: 30 }),
        fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  )
  .map(([text, edits]) =>
    edits.reduce((t, [how, at, len, insert]) => {
      const i = at % (t.length + 1);
      if (how === 'truncate') return t.slice(0, i);
      if (how === 'delete') return t.slice(0, i) + t.slice(i + len);
      if (how === 'duplicate') return t.slice(0, i + len) + t.slice(i, i + len) + t.slice(i + len);
      return `${t.slice(0, i)} ${insert} ${t.slice(i)}`;
    }, text),
  );

/** Any constraint text: random, token soup, mutated or generated. */
export const anyConstraintText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  tokenSoup,
  mutatedConstraints,
  oclFile,
);
