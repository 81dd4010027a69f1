import type { NodeLibrary } from '@reelflow/fbp-model';
import type { Constraint, Expr, IteratorCall, SourcePosition } from './ast.js';
import { ELEMENT_PROPERTIES } from './evaluator.js';
import { schemaKeys } from './values.js';

/**
 * Static types of the constraint language. `Any` stands for what is not known before
 * evaluation (a parameter's value, a node of unknown type); nothing is reported about it,
 * so the checker only reports what would fail on every element.
 */
export type OclType =
  | {
      readonly t:
        | 'Any'
        | 'Null'
        | 'Invalid'
        | 'Boolean'
        | 'Integer'
        | 'Real'
        | 'String'
        | 'Edge'
        | 'Port'
        | 'Graph';
    }
  | { readonly t: 'Node' | 'Params'; readonly nodeType?: string }
  | { readonly t: 'Collection'; readonly of: OclType };

type ElementName = keyof typeof ELEMENT_PROPERTIES;

const ANY: OclType = { t: 'Any' };
const BOOLEAN: OclType = { t: 'Boolean' };
const INTEGER: OclType = { t: 'Integer' };
const STRING: OclType = { t: 'String' };
const NODE: OclType = { t: 'Node' };
const EDGE: OclType = { t: 'Edge' };
const PORT: OclType = { t: 'Port' };
const collectionOf = (of: OclType): OclType => ({ t: 'Collection', of });

/** Result type of each metamodel property; keys match the evaluator's navigation tables. */
export const PROPERTY_TYPES: Readonly<
  Record<ElementName, Readonly<Record<string, (self: OclType) => OclType>>>
> = {
  Node: {
    id: () => STRING,
    type: () => STRING,
    label: () => STRING,
    params: (self) => ({
      t: 'Params',
      ...('nodeType' in self && self.nodeType ? { nodeType: self.nodeType } : {}),
    }),
    inputs: () => collectionOf(EDGE),
    outputs: () => collectionOf(EDGE),
    predecessors: () => collectionOf(NODE),
    successors: () => collectionOf(NODE),
    ports: () => collectionOf(PORT),
    inputPorts: () => collectionOf(PORT),
    outputPorts: () => collectionOf(PORT),
    firing: () => STRING,
  },
  Edge: {
    id: () => STRING,
    label: () => STRING,
    source: () => NODE,
    target: () => NODE,
    sourcePort: () => STRING,
    targetPort: () => STRING,
    from: () => PORT,
    to: () => PORT,
  },
  Port: {
    id: () => STRING,
    name: () => STRING,
    node: () => NODE,
    direction: () => STRING,
    dataType: () => STRING,
    multiplicity: () => STRING,
    required: () => BOOLEAN,
    edges: () => collectionOf(EDGE),
  },
  Graph: {
    id: () => STRING,
    name: () => STRING,
    nodes: () => collectionOf(NODE),
    edges: () => collectionOf(EDGE),
  },
};

/** A type problem found before evaluation. */
export interface TypeProblem {
  readonly message: string;
  readonly pos: SourcePosition;
}

const isNumeric = (x: OclType): boolean => x.t === 'Integer' || x.t === 'Real';
/**
 * Known, and not `null` or `invalid`: only such types can be definitely wrong. (The types
 * of `null` and `invalid` conform to every type, as in OCL 2.4; using them gives invalid at
 * run time, not a type error.)
 */
const known = (x: OclType): boolean => x.t !== 'Any' && x.t !== 'Null' && x.t !== 'Invalid';
const show = (x: OclType): string => (x.t === 'Collection' ? `Collection(${show(x.of)})` : x.t);

interface Env {
  readonly vars: ReadonlyMap<string, OclType>;
  readonly implicit: OclType;
}

/** Type of `self` for a constraint's context. */
function contextType(context: string): OclType {
  switch (context) {
    case 'Node':
    case 'Edge':
    case 'Port':
    case 'Graph':
      return { t: context };
    default:
      return { t: 'Node', nodeType: context };
  }
}

/**
 * Check a constraint against the metamodel and the library's parameter schemas. Reports
 * unknown properties (`self.params.nope` where the node type's schema lacks `nope`) and
 * operations on values of the wrong type (`'a' + 1`) once, whatever the graph.
 */
export function typeCheck(constraint: Constraint, library: NodeLibrary): TypeProblem[] {
  const checker = new Checker(library);
  const self = contextType(constraint.context);
  const env: Env = { vars: new Map([['self', self]]), implicit: self };
  const body = checker.type(constraint.body, env);
  if (known(body) && body.t !== 'Boolean') {
    checker.problems.push({
      message: `the constraint must be a Boolean, not ${show(body)}`,
      pos: constraint.body.pos,
    });
  }
  for (const part of constraint.message ?? [])
    if (typeof part !== 'string') checker.type(part, env);
  return checker.problems;
}

/**
 * Type problems of one expression with `self` of a context's type (`Graph` by default),
 * whatever its result type: for tools and the conformance suite.
 */
export function checkExpression(
  expr: Expr,
  library: NodeLibrary,
  context = 'Graph',
): TypeProblem[] {
  const checker = new Checker(library);
  const self = contextType(context);
  checker.type(expr, { vars: new Map([['self', self]]), implicit: self });
  return checker.problems;
}

class Checker {
  readonly problems: TypeProblem[] = [];

  constructor(private readonly library: NodeLibrary) {}

  private report(message: string, pos: SourcePosition): OclType {
    this.problems.push({ message, pos });
    return ANY;
  }

  type(e: Expr, env: Env): OclType {
    switch (e.kind) {
      case 'literal':
        return literalType(e.value);
      case 'invalid':
        return { t: 'Invalid' };
      case 'var': {
        const bound = env.vars.get(e.name);
        return bound ?? this.property(env.implicit, e.name, e.pos, true);
      }
      case 'property':
        return this.property(this.type(e.source, env), e.name, e.pos, false);
      case 'operation':
        return this.operation(e.name, this.type(e.source, env), e.args, env, e.pos);
      case 'collection':
        return this.collectionOp(e.name, asCollection(this.type(e.source, env)), e.args, env);
      case 'iterator':
        return this.iterator(e, asCollection(this.type(e.source, env)), env);
      case 'unary': {
        const operand = this.type(e.operand, env);
        if (e.op === 'not') return this.expect(operand, BOOLEAN, "operand of 'not'", e.pos);
        return this.expectNumber(operand, "operand of '-'", e.pos);
      }
      case 'binary':
        return this.binary(e, env);
      case 'if': {
        this.expect(this.type(e.cond, env), BOOLEAN, 'if condition', e.cond.pos);
        const a = this.type(e.then, env);
        const b = this.type(e.else, env);
        return a.t === b.t ? a : ANY;
      }
      case 'let': {
        const value = this.type(e.value, env);
        return this.type(e.body, {
          vars: new Map(env.vars).set(e.name, e.declaredType ? declared(e.declaredType) : value),
          implicit: env.implicit,
        });
      }
      case 'collectionLiteral': {
        const items = e.items.map((i) => {
          if (i.kind !== 'range') return this.type(i, env);
          this.expect(this.type(i.first, env), INTEGER, 'first bound of a range', i.first.pos);
          this.expect(this.type(i.last, env), INTEGER, 'last bound of a range', i.last.pos);
          return INTEGER;
        });
        const first = items[0];
        return collectionOf(first && items.every((i) => i.t === first.t) ? first : ANY);
      }
    }
  }

  private property(source: OclType, name: string, pos: SourcePosition, bare: boolean): OclType {
    if (source.t === 'Collection')
      return collectionOf(flatten(this.property(source.of, name, pos, bare)));
    if (source.t === 'Params') return this.parameter(source.nodeType, name, pos);
    const table = source.t in PROPERTY_TYPES ? PROPERTY_TYPES[source.t as ElementName] : undefined;
    if (table) {
      const get = table[name];
      if (get) return get(source);
      const what = bare ? `unknown variable or property '${name}'` : `unknown property '${name}'`;
      return this.report(`${what} of ${source.t} (known: ${Object.keys(table).join(', ')})`, pos);
    }
    if (source.t === 'Null') return this.report(`cannot read '${name}' of null`, pos);
    if (known(source)) return this.report(`unknown property '${name}' of ${show(source)}`, pos);
    return ANY;
  }

  /** A parameter of a node type known before evaluation must be in its schema. */
  private parameter(nodeType: string | undefined, name: string, pos: SourcePosition): OclType {
    const def = nodeType === undefined ? undefined : this.library.get(nodeType);
    const keys = def ? schemaKeys(def.params) : undefined;
    if (keys && !keys.has(name)) {
      return this.report(
        `unknown property '${name}' of the parameters of node type '${nodeType}' (known: ${[...keys].join(', ') || 'none'})`,
        pos,
      );
    }
    return ANY;
  }

  private operation(
    name: string,
    source: OclType,
    args: readonly Expr[],
    env: Env,
    pos: SourcePosition,
  ): OclType {
    for (const a of args) this.type(a, env);
    if (name === 'oclIsUndefined' || name === 'oclIsInvalid') return BOOLEAN;
    if (source.t === 'Collection') return this.collectionOp(name, source, args, env);
    if (name === 'size' && known(source) && source.t !== 'String') {
      return this.report(
        `type error: size() needs a String or a collection, not ${show(source)}`,
        pos,
      );
    }
    return name === 'size' ? INTEGER : ANY;
  }

  private collectionOp(
    name: string,
    source: OclType & { t: 'Collection' },
    args: readonly Expr[],
    env: Env,
  ): OclType {
    for (const a of args) this.type(a, env);
    switch (name) {
      case 'size':
      case 'count':
        return INTEGER;
      case 'isEmpty':
      case 'notEmpty':
      case 'includes':
      case 'excludes':
        return BOOLEAN;
      case 'first':
      case 'last':
        return source.of;
      case 'asSet':
      case 'asSequence':
      case 'including':
      case 'excluding':
      case 'union':
        return source;
      default:
        return ANY;
    }
  }

  private iterator(e: IteratorCall, source: OclType & { t: 'Collection' }, env: Env): OclType {
    const inner: Env = e.iterator
      ? { vars: new Map(env.vars).set(e.iterator, source.of), implicit: env.implicit }
      : { vars: env.vars, implicit: source.of };
    const body = this.type(e.body, inner);
    switch (e.name) {
      case 'forAll':
      case 'exists':
      case 'one':
      case 'select':
      case 'reject':
      case 'any':
        this.expect(body, BOOLEAN, `${e.name} body`, e.body.pos);
        return e.name === 'select' || e.name === 'reject'
          ? source
          : e.name === 'any'
            ? source.of
            : BOOLEAN;
      case 'isUnique':
        return BOOLEAN;
      case 'collect':
        return collectionOf(flatten(body));
      case 'closure':
        return collectionOf(flatten(body));
      default:
        return ANY;
    }
  }

  private binary(e: Expr & { kind: 'binary' }, env: Env): OclType {
    const left = this.type(e.left, env);
    const right = this.type(e.right, env);
    switch (e.op) {
      case 'and':
      case 'or':
      case 'xor':
      case 'implies':
        this.expect(left, BOOLEAN, `left operand of '${e.op}'`, e.left.pos);
        this.expect(right, BOOLEAN, `right operand of '${e.op}'`, e.right.pos);
        return BOOLEAN;
      case '=':
      case '<>':
        return BOOLEAN;
      case '<':
      case '<=':
      case '>':
      case '>=':
        // null and invalid have no comparison operations (an argument may still be null).
        if (left.t === 'Null' || left.t === 'Invalid')
          this.report(
            `type error: cannot compare ${left.t === 'Null' ? 'null' : 'invalid'} using '${e.op}'`,
            e.pos,
          );
        if (
          known(left) &&
          known(right) &&
          !(isNumeric(left) && isNumeric(right)) &&
          !(left.t === 'String' && right.t === 'String')
        ) {
          this.report(
            `type error: cannot compare ${show(left)} with ${show(right)} using '${e.op}'`,
            e.pos,
          );
        }
        return BOOLEAN;
      case '-':
        if (left.t === 'Collection' && right.t === 'Collection') return left;
        return this.arithmetic(e.op, left, right, e.pos);
      case '+':
        if (left.t === 'String' || right.t === 'String') {
          // String + String joins; null conforms to String (and gives invalid at run time).
          const other = left.t === 'String' ? right : left;
          if (known(other) && other.t !== 'String')
            this.report(
              `type error: '+' needs two numbers or two Strings, not ${show(left)} and ${show(right)}`,
              e.pos,
            );
          return STRING;
        }
        return this.arithmetic(e.op, left, right, e.pos);
      default:
        return this.arithmetic(e.op, left, right, e.pos);
    }
  }

  private arithmetic(op: string, left: OclType, right: OclType, pos: SourcePosition): OclType {
    this.expectNumber(left, `left operand of '${op}'`, pos, right);
    this.expectNumber(right, `right operand of '${op}'`, pos, left);
    return op === '/' || left.t === 'Real' || right.t === 'Real'
      ? { t: 'Real' }
      : left.t === 'Integer' && right.t === 'Integer'
        ? INTEGER
        : ANY;
  }

  private expect(actual: OclType, wanted: OclType, what: string, pos: SourcePosition): OclType {
    if (known(actual) && actual.t !== wanted.t)
      this.report(`type error: ${what} must be a ${wanted.t}, not ${show(actual)}`, pos);
    return wanted;
  }

  private expectNumber(
    actual: OclType,
    what: string,
    pos: SourcePosition,
    other?: OclType,
  ): OclType {
    if (known(actual) && !isNumeric(actual)) {
      const withOther = other && known(other) ? ` (the other operand is ${show(other)})` : '';
      this.report(`type error: ${what} must be a number, not ${show(actual)}${withOther}`, pos);
    }
    return actual.t === 'Integer' ? INTEGER : { t: 'Real' };
  }
}

function literalType(v: null | boolean | bigint | number | string): OclType {
  if (v === null) return { t: 'Null' };
  if (typeof v === 'boolean') return BOOLEAN;
  if (typeof v === 'bigint') return INTEGER;
  if (typeof v === 'number') return { t: 'Real' };
  return STRING;
}

/** The static type a `let` declares: what the checker knows of it, else Any. */
function declared(text: string): OclType {
  if (/^(Boolean|Integer|Real|String)$/.test(text)) return { t: text as 'Boolean' };
  if (/^(Collection|Set|OrderedSet|Bag|Sequence)\(/.test(text)) return collectionOf(ANY);
  return ANY;
}

/** A single value used as a collection is a collection of one. */
const asCollection = (x: OclType): OclType & { t: 'Collection' } =>
  x.t === 'Collection' ? x : { t: 'Collection', of: x.t === 'Null' ? ANY : x };

/** `collect` and implicit collect flatten nested collections. */
const flatten = (x: OclType): OclType => (x.t === 'Collection' ? flatten(x.of) : x);
