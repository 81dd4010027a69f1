import type { BinaryOp, Expr, IteratorCall, SourcePosition } from './ast.js';
import { EdgeView, GraphModel, NodeView, PortView } from '../validation/model.js';
import {
  OclCollection,
  OclRecord,
  distinct,
  formatValue,
  fromJson,
  schemaKeys,
  typeName,
  valueEquals,
  type Value,
} from './values.js';

/** An evaluation failure at a place in the constraint text. Caught by the caller, per element. */
export class OclEvalError extends Error {
  constructor(
    message: string,
    readonly pos: SourcePosition,
  ) {
    super(message);
  }
}

/** Limits that keep a constraint from hanging the editor on a large or cyclic graph. */
export interface EvalLimits {
  /** Expression evaluations per constraint and element. */
  readonly maxSteps: number;
  /** Expression evaluations of one constraint over a whole graph (all its elements). */
  readonly maxStepsPerGraph: number;
  /** Elements one `closure` may collect. */
  readonly maxClosure: number;
}

export const DEFAULT_LIMITS: EvalLimits = {
  maxSteps: 1_000_000,
  maxStepsPerGraph: 10_000_000,
  maxClosure: 100_000,
};

/**
 * Variables in scope, innermost first, as a linked list (cheap to extend per iteration);
 * `implicit` is what a bare property name navigates from.
 */
interface Scope {
  readonly name: string;
  readonly value: Value;
  readonly parent: Scope | undefined;
  readonly implicit: Value;
}

function bind(scope: Scope, name: string, value: Value): Scope {
  return { name, value, parent: scope, implicit: scope.implicit };
}

function lookup(scope: Scope | undefined, name: string): Scope | undefined {
  for (let s = scope; s; s = s.parent) if (s.name === name) return s;
  return undefined;
}

/** Navigation of the metamodel, per element kind (CONTRACTS section 4, plus ports). */
const NODE_PROPS: Record<string, (n: NodeView) => Value> = {
  id: (n) => n.id,
  type: (n) => n.node.type,
  label: (n) => n.node.label ?? null,
  params: (n) =>
    n.derived(
      'ocl:params',
      () =>
        new OclRecord(
          n.params(),
          n.def ? schemaKeys(n.def.params) : undefined,
          `node type '${n.node.type}'`,
        ),
    ),
  inputs: (n) =>
    n.derived('ocl:inputs', () => new OclCollection('Sequence', n.model.incoming(n.id))),
  outputs: (n) =>
    n.derived('ocl:outputs', () => new OclCollection('Sequence', n.model.outgoing(n.id))),
  predecessors: (n) =>
    n.derived(
      'ocl:predecessors',
      () => new OclCollection('Set', ends(n.model.incoming(n.id), 'source')),
    ),
  successors: (n) =>
    n.derived(
      'ocl:successors',
      () => new OclCollection('Set', ends(n.model.outgoing(n.id), 'target')),
    ),
  ports: (n) => n.derived('ocl:ports', () => new OclCollection('Sequence', n.ports())),
  inputPorts: (n) => n.derived('ocl:inputPorts', () => portsOf(n, 'in')),
  outputPorts: (n) => n.derived('ocl:outputPorts', () => portsOf(n, 'out')),
  firing: (n) => n.def?.firing ?? null,
};

/** The distinct existing nodes at one end of some edges. */
function ends(edges: readonly EdgeView[], end: 'source' | 'target'): Value[] {
  return distinct(present(edges.map((e) => (end === 'source' ? e.source() : e.target()))));
}

const portsOf = (n: NodeView, direction: 'in' | 'out'): OclCollection =>
  new OclCollection(
    'Sequence',
    n.ports().filter((p) => p.spec.direction === direction),
  );

const EDGE_PROPS: Record<string, (e: EdgeView) => Value> = {
  id: (e) => e.id,
  label: (e) => e.edge.label ?? null,
  source: (e) => e.source() ?? null,
  target: (e) => e.target() ?? null,
  sourcePort: (e) => e.edge.from.port,
  targetPort: (e) => e.edge.to.port,
  from: (e) => e.sourcePort() ?? null,
  to: (e) => e.targetPort() ?? null,
};

const PORT_PROPS: Record<string, (p: PortView) => Value> = {
  id: (p) => p.id,
  name: (p) => p.spec.name,
  node: (p) => p.node,
  direction: (p) => p.spec.direction,
  dataType: (p) => p.spec.dataType,
  multiplicity: (p) => p.spec.multiplicity,
  required: (p) => p.required,
  edges: (p) => p.derived('ocl:edges', () => new OclCollection('Sequence', p.edges())),
};

const GRAPH_PROPS: Record<string, (g: GraphModel) => Value> = {
  id: (g) => g.id,
  name: (g) => g.graph.name,
  nodes: (g) => new OclCollection('Sequence', g.nodes),
  edges: (g) => new OclCollection('Sequence', g.edges),
};

/** Property names of each element kind, for messages and the type checker. */
export const ELEMENT_PROPERTIES: Readonly<
  Record<'Node' | 'Edge' | 'Port' | 'Graph', readonly string[]>
> = {
  Node: Object.keys(NODE_PROPS),
  Edge: Object.keys(EDGE_PROPS),
  Port: Object.keys(PORT_PROPS),
  Graph: Object.keys(GRAPH_PROPS),
};

const NO_ARGS: Value[] = [];

/** Append a value, or each item of a collection (`collect` flattens). */
function appendFlat(out: Value[], v: Value): void {
  if (v instanceof OclCollection) for (const item of v.items) out.push(item);
  else out.push(v);
}

function present<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

/**
 * Evaluates one expression against one element. Navigation goes through the graph model,
 * so reads are recorded for incremental validation. Errors are thrown as `OclEvalError`.
 */
export class Evaluator {
  private steps = 0;

  /** Steps the last `run` took. */
  get lastSteps(): number {
    return this.steps;
  }

  constructor(private readonly limits: EvalLimits = DEFAULT_LIMITS) {}

  /** Evaluate `expr` with `self` bound to `self`. */
  run(expr: Expr, self: Value): Value {
    this.steps = 0;
    return this.eval(expr, { name: 'self', value: self, parent: undefined, implicit: self });
  }

  eval(expr: Expr, scope: Scope): Value {
    if (++this.steps > this.limits.maxSteps) {
      throw new OclEvalError(
        `evaluation gave up after ${this.limits.maxSteps} steps (is a collection too large?)`,
        expr.pos,
      );
    }
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'var':
        return this.variable(expr.name, scope, expr.pos);
      case 'property':
        return this.navigate(this.eval(expr.source, scope), expr.name, expr.pos);
      case 'operation':
        return this.operation(
          expr.name,
          this.eval(expr.source, scope),
          this.args(expr.args, scope),
          expr.pos,
        );
      case 'collection':
        return this.collectionOp(
          expr.name,
          asCollection(this.eval(expr.source, scope)),
          this.args(expr.args, scope),
          expr.pos,
        );
      case 'iterator':
        return this.iterate(expr, asCollection(this.eval(expr.source, scope)), scope);
      case 'unary':
        return this.unary(expr.op, this.eval(expr.operand, scope), expr.pos);
      case 'binary':
        return this.binary(expr.op, expr.left, expr.right, scope, expr.pos);
      case 'if': {
        const cond = this.boolean(this.eval(expr.cond, scope), 'if condition', expr.cond.pos);
        return this.eval(cond ? expr.then : expr.else, scope);
      }
      case 'let':
        return this.eval(expr.body, bind(scope, expr.name, this.eval(expr.value, scope)));
      case 'collectionLiteral': {
        const items = expr.items.map((i) => this.eval(i, scope));
        return new OclCollection(
          expr.collectionKind,
          expr.collectionKind === 'Set' ? distinct(items) : items,
        );
      }
    }
  }

  private args(args: readonly Expr[], scope: Scope): Value[] {
    // Most calls (`size()`, `oclIsUndefined()`) have none: skip the allocation.
    return args.length === 0 ? NO_ARGS : args.map((a) => this.eval(a, scope));
  }

  private variable(name: string, scope: Scope, pos: SourcePosition): Value {
    const bound = lookup(scope, name);
    if (bound) return bound.value;
    // A bare name navigates from the implicit iterator or `self`, as in OCL.
    return this.navigate(scope.implicit, name, pos, true);
  }

  navigate(source: Value, name: string, pos: SourcePosition, bare = false): Value {
    if (source === null) {
      throw new OclEvalError(`cannot read '${name}' of null (guard it with oclIsUndefined())`, pos);
    }
    if (source instanceof OclCollection) {
      // `nodes.type` is shorthand for `nodes->collect(type)`.
      const items: Value[] = [];
      for (const item of source.items) appendFlat(items, this.navigate(item, name, pos, bare));
      return new OclCollection('Sequence', items);
    }
    const table = propertyTable(source);
    if (table) {
      const get = table[name];
      if (get) return get(source as never);
    } else if (source instanceof OclRecord) {
      if (source.keys && !source.keys.has(name)) {
        throw new OclEvalError(
          `unknown property '${name}' of the parameters of ${source.owner} (known: ${[...source.keys].join(', ') || 'none'})`,
          pos,
        );
      }
      return fromJson(source.values[name], source.owner);
    }
    const what = bare ? `unknown variable or property '${name}'` : `unknown property '${name}'`;
    const known = table ? ` (known: ${Object.keys(table).join(', ')})` : '';
    throw new OclEvalError(`${what} of ${typeName(source)}${known}`, pos);
  }

  private operation(name: string, source: Value, args: Value[], pos: SourcePosition): Value {
    if (name === 'oclIsUndefined') return source === null;
    if (source === null)
      throw new OclEvalError(`cannot call ${name}() on null (guard it with oclIsUndefined())`, pos);
    if (source instanceof OclCollection) return this.collectionOp(name, source, args, pos);
    const op = SCALAR_OPS[name];
    if (!op) throw new OclEvalError(`unknown operation ${name}() on ${typeName(source)}`, pos);
    return op(source, args, pos);
  }

  private collectionOp(
    name: string,
    source: OclCollection,
    args: Value[],
    pos: SourcePosition,
  ): Value {
    const op = COLLECTION_OPS[name];
    if (!op) throw new OclEvalError(`unknown collection operation ->${name}()`, pos);
    return op(source, args, pos);
  }

  /** The body of an iterator for one element, with the iterator (or implicit) bound. */
  private body(expr: IteratorCall, scope: Scope, item: Value): Value {
    // A named iterator is a variable; only the implicit form changes what bare names read.
    const inner = expr.iterator
      ? bind(scope, expr.iterator, item)
      : { name: '', value: null, parent: scope, implicit: item };
    return this.eval(expr.body, inner);
  }

  private test(expr: IteratorCall, scope: Scope, item: Value): boolean {
    const v = this.body(expr, scope, item);
    return typeof v === 'boolean' ? v : this.boolean(v, `${expr.name} body`, expr.body.pos);
  }

  // Plain loops, no per-call closures: this is the innermost loop of every constraint.
  private iterate(expr: IteratorCall, source: OclCollection, scope: Scope): Value {
    const items = source.items;
    switch (expr.name) {
      case 'forAll':
        for (const item of items) if (!this.test(expr, scope, item)) return false;
        return true;
      case 'exists':
        for (const item of items) if (this.test(expr, scope, item)) return true;
        return false;
      case 'any':
        for (const item of items) if (this.test(expr, scope, item)) return item;
        return null;
      case 'one': {
        let count = 0;
        for (const item of items) if (this.test(expr, scope, item)) count++;
        return count === 1;
      }
      case 'select':
      case 'reject': {
        const keep = expr.name === 'select';
        const out: Value[] = [];
        for (const item of items) if (this.test(expr, scope, item) === keep) out.push(item);
        return new OclCollection(source.kind, out);
      }
      case 'collect': {
        const out: Value[] = [];
        for (const item of items) appendFlat(out, this.body(expr, scope, item));
        return new OclCollection('Sequence', out);
      }
      case 'isUnique': {
        const keys: Value[] = [];
        for (const item of items) keys.push(this.body(expr, scope, item));
        return distinct(keys).length === keys.length;
      }
      case 'closure':
        return this.closure(expr, source, scope);
      default:
        throw new OclEvalError(`unknown iterator ->${expr.name}()`, expr.pos);
    }
  }

  /**
   * Transitive closure, breadth first with a visited set, so cycles end; the result holds
   * what the body reaches (the sources only if reached again). Nulls are skipped, so a
   * body can stop the walk at an element by answering null.
   */
  private closure(expr: IteratorCall, source: OclCollection, scope: Scope): OclCollection {
    const seen = new Set<Value>();
    const result: Value[] = [];
    let frontier: readonly Value[] = source.items;
    while (frontier.length > 0) {
      const next: Value[] = [];
      for (const item of frontier) {
        const value = this.body(expr, scope, item);
        if (value instanceof OclCollection) {
          for (const reached of value.items) this.reach(reached, seen, result, next, expr.pos);
        } else {
          this.reach(value, seen, result, next, expr.pos);
        }
      }
      frontier = next;
    }
    return new OclCollection('Set', result);
  }

  /** One element a closure body answered: new ones join the result and the frontier. */
  private reach(
    v: Value,
    seen: Set<Value>,
    result: Value[],
    next: Value[],
    pos: SourcePosition,
  ): void {
    if (v === null || seen.has(v)) return;
    seen.add(v);
    result.push(v);
    next.push(v);
    if (result.length > this.limits.maxClosure) {
      throw new OclEvalError(
        `closure gave up after ${this.limits.maxClosure} elements (does its body keep making new values?)`,
        pos,
      );
    }
  }

  private unary(op: 'not' | '-', v: Value, pos: SourcePosition): Value {
    if (op === 'not') return !this.boolean(v, "operand of 'not'", pos);
    return -this.number(v, "operand of '-'", pos);
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, scope: Scope, pos: SourcePosition): Value {
    // The logical operators short-circuit, so `x <> null implies x.size() > 0` is safe.
    switch (op) {
      case 'and':
        return this.logical(op, left, scope, 'left') && this.logical(op, right, scope, 'right');
      case 'or':
        return this.logical(op, left, scope, 'left') || this.logical(op, right, scope, 'right');
      case 'implies':
        return !this.logical(op, left, scope, 'left') || this.logical(op, right, scope, 'right');
      case 'xor':
        return this.logical(op, left, scope, 'left') !== this.logical(op, right, scope, 'right');
      default:
        return this.arithmetic(op, this.eval(left, scope), this.eval(right, scope), pos);
    }
  }

  private logical(op: BinaryOp, operand: Expr, scope: Scope, side: 'left' | 'right'): boolean {
    const v = this.eval(operand, scope);
    return typeof v === 'boolean' ? v : this.boolean(v, `${side} operand of '${op}'`, operand.pos);
  }

  private arithmetic(op: BinaryOp, a: Value, b: Value, pos: SourcePosition): Value {
    switch (op) {
      case '=':
        return valueEquals(a, b);
      case '<>':
        return !valueEquals(a, b);
      case '<':
      case '<=':
      case '>':
      case '>=':
        return compare(op, a, b, pos);
      case '+':
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        return (
          this.number(a, "left operand of '+'", pos, b) +
          this.number(b, "right operand of '+'", pos, a)
        );
      case '-':
        return (
          this.number(a, "left operand of '-'", pos, b) -
          this.number(b, "right operand of '-'", pos, a)
        );
      case '*':
        return (
          this.number(a, "left operand of '*'", pos, b) *
          this.number(b, "right operand of '*'", pos, a)
        );
      case '/': {
        const divisor = this.number(b, "right operand of '/'", pos, a);
        const dividend = this.number(a, "left operand of '/'", pos, b);
        if (divisor === 0) throw new OclEvalError(`division by zero (${formatValue(a)} / 0)`, pos);
        return dividend / divisor;
      }
      default:
        throw new OclEvalError(`unknown operator '${op}'`, pos);
    }
  }

  boolean(v: Value, what: string, pos: SourcePosition): boolean {
    if (typeof v === 'boolean') return v;
    throw new OclEvalError(
      `type error: ${what} must be a Boolean, not ${typeName(v)} ${describeValue(v)}`,
      pos,
    );
  }

  private number(v: Value, what: string, pos: SourcePosition, other?: Value): number {
    if (typeof v === 'number') return v;
    const withOther = other === undefined ? '' : ` (the other operand is ${typeName(other)})`;
    throw new OclEvalError(
      `type error: ${what} must be a number, not ${typeName(v)} ${describeValue(v)}${withOther}`,
      pos,
    );
  }
}

function propertyTable(v: Value): Record<string, (x: never) => Value> | undefined {
  if (v instanceof NodeView) return NODE_PROPS;
  if (v instanceof EdgeView) return EDGE_PROPS;
  if (v instanceof PortView) return PORT_PROPS;
  if (v instanceof GraphModel) return GRAPH_PROPS;
  return undefined;
}

const describeValue = (v: Value): string => (typeof v === 'string' ? `'${v}'` : formatValue(v));

/** A single value used where a collection is expected is a set of one; null is empty. */
function asCollection(v: Value): OclCollection {
  if (v instanceof OclCollection) return v;
  return new OclCollection('Set', v === null ? [] : [v]);
}

function compare(op: '<' | '<=' | '>' | '>=', a: Value, b: Value, pos: SourcePosition): boolean {
  const comparable =
    (typeof a === 'number' && typeof b === 'number') ||
    (typeof a === 'string' && typeof b === 'string');
  if (!comparable) {
    throw new OclEvalError(
      `type error: cannot compare ${typeName(a)} ${describeValue(a)} with ${typeName(b)} ${describeValue(b)} using '${op}'`,
      pos,
    );
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

type Op<S> = (source: S, args: Value[], pos: SourcePosition) => Value;

function arity<S>(n: number, name: string, fn: Op<S>): Op<S> {
  return (source, args, pos) => {
    if (args.length !== n)
      throw new OclEvalError(`${name}() takes ${n} argument(s), not ${args.length}`, pos);
    return fn(source, args, pos);
  };
}

const needString = (v: Value, name: string, pos: SourcePosition): string => {
  if (typeof v === 'string') return v;
  throw new OclEvalError(`type error: ${name}() needs a String, not ${typeName(v)}`, pos);
};
const needNumber = (v: Value, name: string, pos: SourcePosition): number => {
  if (typeof v === 'number') return v;
  throw new OclEvalError(`type error: ${name}() needs a number, not ${typeName(v)}`, pos);
};

/** Operations on single values: `'abc'.size()`, `x.abs()`. */
const SCALAR_OPS: Record<string, Op<Exclude<Value, null>>> = {
  size: arity(0, 'size', (s, _a, pos) => needString(s, 'size', pos).length),
  concat: arity(
    1,
    'concat',
    (s, [a], pos) => needString(s, 'concat', pos) + needString(a ?? null, 'concat', pos),
  ),
  toUpper: arity(0, 'toUpper', (s, _a, pos) => needString(s, 'toUpper', pos).toUpperCase()),
  toLower: arity(0, 'toLower', (s, _a, pos) => needString(s, 'toLower', pos).toLowerCase()),
  abs: arity(0, 'abs', (s, _a, pos) => Math.abs(needNumber(s, 'abs', pos))),
  floor: arity(0, 'floor', (s, _a, pos) => Math.floor(needNumber(s, 'floor', pos))),
  round: arity(0, 'round', (s, _a, pos) => Math.round(needNumber(s, 'round', pos))),
  max: arity(1, 'max', (s, [a], pos) =>
    Math.max(needNumber(s, 'max', pos), needNumber(a ?? null, 'max', pos)),
  ),
  min: arity(1, 'min', (s, [a], pos) =>
    Math.min(needNumber(s, 'min', pos), needNumber(a ?? null, 'min', pos)),
  ),
};

const includes = (c: OclCollection, v: Value): boolean => c.items.some((x) => valueEquals(x, v));

/** Operations after `->` that take plain arguments. */
const COLLECTION_OPS: Record<string, Op<OclCollection>> = {
  size: arity(0, 'size', (c) => c.items.length),
  isEmpty: arity(0, 'isEmpty', (c) => c.items.length === 0),
  notEmpty: arity(0, 'notEmpty', (c) => c.items.length > 0),
  includes: arity(1, 'includes', (c, [v]) => includes(c, v ?? null)),
  excludes: arity(1, 'excludes', (c, [v]) => !includes(c, v ?? null)),
  count: arity(1, 'count', (c, [v]) => c.items.filter((x) => valueEquals(x, v ?? null)).length),
  asSet: arity(0, 'asSet', (c) => new OclCollection('Set', distinct(c.items))),
  asSequence: arity(0, 'asSequence', (c) => new OclCollection('Sequence', c.items)),
  first: arity(0, 'first', (c) => c.items[0] ?? null),
  last: arity(0, 'last', (c) => c.items[c.items.length - 1] ?? null),
  including: arity(
    1,
    'including',
    (c, [v]) =>
      new OclCollection(
        c.kind,
        c.kind === 'Set' ? distinct([...c.items, v ?? null]) : [...c.items, v ?? null],
      ),
  ),
  excluding: arity(
    1,
    'excluding',
    (c, [v]) =>
      new OclCollection(
        c.kind,
        c.items.filter((x) => !valueEquals(x, v ?? null)),
      ),
  ),
  union: arity(1, 'union', (c, [v]) => {
    const items = [...c.items, ...asCollection(v ?? null).items];
    return new OclCollection(c.kind, c.kind === 'Set' ? distinct(items) : items);
  }),
  sum: arity(0, 'sum', (c, _a, pos) =>
    c.items.reduce<number>((acc, x) => acc + needNumber(x, 'sum', pos), 0),
  ),
  max: arity(0, 'max', (c, _a, pos) =>
    c.items.length ? Math.max(...c.items.map((x) => needNumber(x, 'max', pos))) : null,
  ),
  min: arity(0, 'min', (c, _a, pos) =>
    c.items.length ? Math.min(...c.items.map((x) => needNumber(x, 'min', pos))) : null,
  ),
};
