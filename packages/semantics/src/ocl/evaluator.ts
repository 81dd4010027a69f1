import type { BinaryOp, Expr, IteratorCall, RangePart, SourcePosition } from './ast.js';
import { ITERATOR_OPS } from './parser.js';
import { EdgeView, GraphModel, NodeView, PortView } from '../validation/model.js';
import {
  OclCollection,
  OclInvalid,
  OclRecord,
  distinct,
  formatReal,
  formatValue,
  fromJson,
  isNumeric,
  isOrdered,
  isUnique,
  schemaKeys,
  typeName,
  valueEquals,
  valueKey,
  type CollectionKind,
  type Value,
} from './values.js';

/**
 * Evaluation that had to stop: a type error found only at run time, or a work limit that
 * ran out. Unlike `invalid` (a value the expression can test), this ends the evaluation of
 * the constraint on the element, reported as `ocl-eval`.
 */
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
  /** Declared with a collection type: a null here is a null collection, not an object. */
  readonly collection?: boolean;
}

function bind(scope: Scope, name: string, value: Value, collection = false): Scope {
  return { name, value, parent: scope, implicit: scope.implicit, collection };
}

const COLLECTION_TYPE = /^(Collection|Set|OrderedSet|Bag|Sequence)\b/;

/**
 * `->` on null makes an empty Set of it (OCL 2.4 section 11.2.3: an object used as a
 * collection), but a variable declared as a collection that holds null is no collection
 * at all: `let s : Set(Integer) = null in s->size()` is invalid.
 */
function nullCollection(source: Expr, value: Value, scope: Scope): OclInvalid | undefined {
  if (value !== null || source.kind !== 'var') return undefined;
  return lookup(scope, source.name)?.collection
    ? new OclInvalid(`'${source.name}' is a null collection`, source.pos)
    : undefined;
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

/**
 * Thrown inside an operation's implementation to answer `invalid`; `call` turns it into the
 * value, so the operation tables can use plain `needString(...)` guards.
 */
class Invalidate extends Error {
  constructor(readonly invalid: OclInvalid) {
    super(invalid.reason);
  }
}

const fail = (reason: string, pos: SourcePosition): never => {
  throw new Invalidate(new OclInvalid(reason, pos));
};

/**
 * A type error found only at run time (`self.params.preset + 1`, an unknown property). In
 * OCL, which is typed before it runs, such a constraint would not compile, so it is not an
 * `invalid` value that `oclIsUndefined()` could hide: it stops the evaluation as `ocl-eval`.
 */
const typeError = (message: string, pos: SourcePosition): never => {
  throw new OclEvalError(message, pos);
};

/** A wrong operand: null gives invalid (as OCL 2.4 says), any other wrong type is a type error. */
const wrong = (v: Value, ifNull: string, ifType: string, pos: SourcePosition): OclInvalid =>
  v === null ? new OclInvalid(ifNull, pos) : typeError(ifType, pos);

/** Append a value, or each item of a collection, flattened all the way (`collect`). */
function appendFlat(out: Value[], v: Value): void {
  if (v instanceof OclCollection) for (const item of v.items) appendFlat(out, item);
  else out.push(v);
}

function present<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

/** What `collect` (and implicit collect) answers for a source kind: OCL 2.4 section 11.9. */
const collectKind = (kind: CollectionKind): CollectionKind =>
  isOrdered(kind) ? 'Sequence' : 'Bag';

/** A collection of a kind, duplicates dropped where the kind is unique. */
const made = (kind: CollectionKind, items: Value[]): OclCollection =>
  new OclCollection(kind, isUnique(kind) ? distinct(items) : items);

/**
 * Evaluates one expression against one element, following the OCL 2.4 standard library:
 * a failure is the value `invalid` (`OclInvalid`), which propagates through every operation
 * except the Boolean operators' truth tables, `oclIsUndefined()` and `oclIsInvalid()`.
 * Navigation goes through the graph model, so reads are recorded for incremental validation.
 * Only a type error found at run time or a work limit running out throws (`OclEvalError`).
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
      case 'invalid':
        return new OclInvalid('the literal invalid', expr.pos);
      case 'var':
        return this.variable(expr.name, scope, expr.pos);
      case 'property': {
        const source = this.eval(expr.source, scope);
        return source instanceof OclInvalid ? source : this.navigate(source, expr.name, expr.pos);
      }
      case 'operation':
        return this.operation(expr.name, this.eval(expr.source, scope), expr.args, scope, expr.pos);
      case 'collection': {
        const source = this.eval(expr.source, scope);
        if (source instanceof OclInvalid) return source;
        const isNull = nullCollection(expr.source, source, scope);
        if (isNull) return isNull;
        const args = this.args(expr.args, scope);
        if (args instanceof OclInvalid) return args;
        for (let k = 0; k < args.length; k++) {
          const nullArg = nullCollection(expr.args[k] as Expr, args[k] ?? null, scope);
          if (nullArg) return nullArg;
        }
        return this.collectionOp(expr.name, asCollection(source), args, expr.pos);
      }
      case 'iterator': {
        const source = this.eval(expr.source, scope);
        if (source instanceof OclInvalid) return source;
        const isNull = nullCollection(expr.source, source, scope);
        if (isNull) return isNull;
        return this.iterate(expr, asCollection(source), scope);
      }
      case 'unary':
        return this.unary(expr.op, this.eval(expr.operand, scope), expr.pos);
      case 'binary':
        return this.binary(expr.op, expr.left, expr.right, scope, expr.pos);
      case 'if': {
        const cond = this.eval(expr.cond, scope);
        if (cond === true) return this.eval(expr.then, scope);
        if (cond === false) return this.eval(expr.else, scope);
        if (cond instanceof OclInvalid) return cond;
        return wrong(
          cond,
          'the if condition is null',
          `type error: if condition must be a Boolean, not ${typeName(cond)} ${describeValue(cond)}`,
          expr.cond.pos,
        );
      }
      case 'let':
        // The value is bound as it is, invalid included: `let b = invalid in false and b` is false.
        return this.eval(
          expr.body,
          bind(
            scope,
            expr.name,
            this.eval(expr.value, scope),
            COLLECTION_TYPE.test(expr.declaredType ?? ''),
          ),
        );
      case 'collectionLiteral': {
        const items: Value[] = [];
        for (const part of expr.items) {
          if (part.kind === 'range') {
            const failed = this.range(part, scope, items);
            if (failed) return failed;
            continue;
          }
          const v = this.eval(part, scope);
          if (v instanceof OclInvalid) return v;
          items.push(v);
        }
        return made(expr.collectionKind, items);
      }
    }
  }

  /** Add the Integers of `first..last` to `out`; answers the invalid if it is one. */
  private range(part: RangePart, scope: Scope, out: Value[]): OclInvalid | undefined {
    const first = this.eval(part.first, scope);
    if (first instanceof OclInvalid) return first;
    const last = this.eval(part.last, scope);
    if (last instanceof OclInvalid) return last;
    if (typeof first !== 'bigint' || typeof last !== 'bigint') {
      const bad = typeof first !== 'bigint' ? first : last;
      return wrong(
        bad,
        "a range's bound is null",
        `type error: a range's bounds must be Integers, not ${typeName(bad)} ${describeValue(bad)}`,
        part.pos,
      );
    }
    if (last - first >= BigInt(this.limits.maxClosure)) {
      throw new OclEvalError(
        `range ${first}..${last} has more than ${this.limits.maxClosure} elements`,
        part.pos,
      );
    }
    for (let i = first; i <= last; i++) out.push(i);
    return undefined;
  }

  /** Evaluated arguments, or the first invalid among them. */
  private args(args: readonly Expr[], scope: Scope): Value[] | OclInvalid {
    // Most calls (`size()`, `oclIsUndefined()`) have none: skip the allocation.
    if (args.length === 0) return NO_ARGS;
    const out: Value[] = [];
    for (const a of args) {
      const v = this.eval(a, scope);
      if (v instanceof OclInvalid) return v;
      out.push(v);
    }
    return out;
  }

  private variable(name: string, scope: Scope, pos: SourcePosition): Value {
    const bound = lookup(scope, name);
    if (bound) return bound.value;
    // A bare name navigates from the implicit iterator or `self`, as in OCL.
    if (scope.implicit instanceof OclInvalid) return scope.implicit;
    return this.navigate(scope.implicit, name, pos, true);
  }

  navigate(source: Value, name: string, pos: SourcePosition, bare = false): Value {
    if (source === null)
      return new OclInvalid(`cannot read '${name}' of null (guard it with oclIsUndefined())`, pos);
    if (source instanceof OclInvalid) return source;
    if (source instanceof OclCollection) {
      // `nodes.type` is shorthand for `nodes->collect(type)`.
      const items: Value[] = [];
      for (const item of source.items) {
        const v = this.navigate(item, name, pos, bare);
        if (v instanceof OclInvalid) return v;
        appendFlat(items, v);
      }
      return new OclCollection(collectKind(source.kind), items);
    }
    const table = propertyTable(source);
    if (table) {
      const get = table[name];
      if (get) return get(source as never);
    } else if (source instanceof OclRecord) {
      if (source.keys && !source.keys.has(name)) {
        return typeError(
          `unknown property '${name}' of the parameters of ${source.owner} (known: ${[...source.keys].join(', ') || 'none'})`,
          pos,
        );
      }
      return fromJson(source.values[name], source.owner);
    }
    const what = bare ? `unknown variable or property '${name}'` : `unknown property '${name}'`;
    const known = table ? ` (known: ${Object.keys(table).join(', ')})` : '';
    return typeError(`${what} of ${typeName(source)}${known}`, pos);
  }

  private operation(
    name: string,
    source: Value,
    argExprs: readonly Expr[],
    scope: Scope,
    pos: SourcePosition,
  ): Value {
    if (name === 'toString' && source === null && argExprs.length === 0) return 'null';
    // The two operations that look at invalid and null instead of failing on them.
    if (name === 'oclIsUndefined' || name === 'oclIsInvalid') {
      if (argExprs.length > 0)
        return typeError(`${name}() takes no arguments, not ${argExprs.length}`, pos);
      return name === 'oclIsInvalid'
        ? source instanceof OclInvalid
        : source === null || source instanceof OclInvalid;
    }
    if (source instanceof OclInvalid) return source;
    const args = this.args(argExprs, scope);
    if (args instanceof OclInvalid) return args;
    if (source === null)
      return new OclInvalid(`cannot call ${name}() on null (guard it with oclIsUndefined())`, pos);
    if (source instanceof OclCollection) return this.collectionOp(name, source, args, pos);
    const op = SCALAR_OPS[name];
    if (!op) return typeError(`unknown operation ${name}() on ${typeName(source)}`, pos);
    return call(op, source, args, pos);
  }

  private collectionOp(
    name: string,
    source: OclCollection,
    args: Value[],
    pos: SourcePosition,
  ): Value {
    const op = COLLECTION_OPS[name];
    if (!op) return typeError(`unknown collection operation ->${name}()`, pos);
    return call(op, source, args, pos);
  }

  /** The body of an iterator for one element, with the iterator (or implicit) bound. */
  private body(expr: IteratorCall, scope: Scope, item: Value): Value {
    // A named iterator is a variable; only the implicit form changes what bare names read.
    const inner = expr.iterator
      ? bind(scope, expr.iterator, item)
      : { name: '', value: null, parent: scope, implicit: item };
    return this.eval(expr.body, inner);
  }

  /** A body that must be true or false: anything else makes the iterator invalid. */
  private test(expr: IteratorCall, scope: Scope, item: Value): boolean | OclInvalid {
    const v = this.body(expr, scope, item);
    if (typeof v === 'boolean' || v instanceof OclInvalid) return v;
    return wrong(
      v,
      `the ${expr.name} body is null for ${formatValue(item)}`,
      `type error: ${expr.name} body must be a Boolean, not ${typeName(v)} ${describeValue(v)}`,
      expr.body.pos,
    );
  }

  // Plain loops, no per-call closures: this is the innermost loop of every constraint.
  private iterate(expr: IteratorCall, source: OclCollection, scope: Scope): Value {
    const items = source.items;
    switch (expr.name) {
      case 'forAll':
      case 'exists':
        return this.quantify(expr, items, scope, expr.name === 'exists');
      case 'any':
        for (const item of items) {
          const t = this.test(expr, scope, item);
          if (t instanceof OclInvalid) return t;
          if (t) return item;
        }
        // OCL 2.4 section 11.9.1: invalid when no element satisfies the body.
        return new OclInvalid(`${expr.name}: no element satisfies the body`, expr.pos);
      case 'one': {
        let count = 0;
        for (const item of items) {
          const t = this.test(expr, scope, item);
          if (t instanceof OclInvalid) return t;
          if (t) count++;
        }
        return count === 1;
      }
      case 'select':
      case 'reject': {
        const keep = expr.name === 'select';
        const out: Value[] = [];
        for (const item of items) {
          const t = this.test(expr, scope, item);
          if (t instanceof OclInvalid) return t;
          if (t === keep) out.push(item);
        }
        return new OclCollection(source.kind, out);
      }
      case 'collect': {
        const out: Value[] = [];
        for (const item of items) {
          const v = this.body(expr, scope, item);
          if (v instanceof OclInvalid) return v;
          appendFlat(out, v);
        }
        return new OclCollection(collectKind(source.kind), out);
      }
      case 'isUnique': {
        const keys = new Set<unknown>();
        for (const item of items) {
          const v = this.body(expr, scope, item);
          if (v instanceof OclInvalid) return v;
          const key = valueKey(v);
          if (keys.has(key)) return false;
          keys.add(key);
        }
        return true;
      }
      case 'closure':
        return this.closure(expr, source, scope);
      default:
        return typeError(`unknown iterator ->${expr.name}()`, expr.pos);
    }
  }

  /**
   * `forAll` and `exists` as OCL 2.4 defines them through `iterate` with `and`/`or`: one
   * deciding body (false for forAll, true for exists) decides, whatever the others are;
   * otherwise an invalid body makes the result invalid, else a null body makes it null.
   */
  private quantify(
    expr: IteratorCall,
    items: readonly Value[],
    scope: Scope,
    exists: boolean,
  ): Value {
    let invalid: OclInvalid | undefined;
    let sawNull = false;
    for (const item of items) {
      const v = this.body(expr, scope, item);
      if (v === exists) return exists;
      if (typeof v === 'boolean') continue;
      if (v === null) sawNull = true;
      else
        invalid ??=
          v instanceof OclInvalid
            ? v
            : typeError(
                `type error: ${expr.name} body must be a Boolean, not ${typeName(v)} ${describeValue(v)}`,
                expr.body.pos,
              );
    }
    if (invalid) return invalid;
    return sawNull ? null : !exists;
  }

  /**
   * Transitive closure, breadth first with a visited set, so cycles end; the result holds
   * what the body reaches (the sources only if reached again). Nulls are skipped, so a
   * body can stop the walk at an element by answering null.
   */
  private closure(expr: IteratorCall, source: OclCollection, scope: Scope): Value {
    const seen = new Set<unknown>();
    const result: Value[] = [];
    let frontier: readonly Value[] = source.items;
    while (frontier.length > 0) {
      const next: Value[] = [];
      for (const item of frontier) {
        const value = this.body(expr, scope, item);
        if (value instanceof OclInvalid) return value;
        if (value instanceof OclCollection) {
          for (const reached of value.items) this.reach(reached, seen, result, next, expr.pos);
        } else {
          this.reach(value, seen, result, next, expr.pos);
        }
      }
      frontier = next;
    }
    return new OclCollection(isOrdered(source.kind) ? 'OrderedSet' : 'Set', result);
  }

  /** One element a closure body answered: new ones join the result and the frontier. */
  private reach(
    v: Value,
    seen: Set<unknown>,
    result: Value[],
    next: Value[],
    pos: SourcePosition,
  ): void {
    if (v === null) return;
    const key = valueKey(v);
    if (seen.has(key)) return;
    seen.add(key);
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
    if (v instanceof OclInvalid) return v;
    if (op === 'not') {
      if (typeof v === 'boolean') return !v;
      if (v === null) return null; // not null = null (OCL 2.4 truth table)
      return typeError(
        `type error: operand of 'not' must be a Boolean, not ${typeName(v)} ${describeValue(v)}`,
        pos,
      );
    }
    if (typeof v === 'bigint' || typeof v === 'number') return -v;
    return wrong(
      v,
      "operand of '-' is null",
      `type error: operand of '-' must be a number, not ${typeName(v)} ${describeValue(v)}`,
      pos,
    );
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, scope: Scope, pos: SourcePosition): Value {
    switch (op) {
      case 'and':
      case 'or':
      case 'implies':
      case 'xor':
        return this.logical(op, left, right, scope);
      default: {
        const a = this.eval(left, scope);
        if (a instanceof OclInvalid) return a;
        const b = this.eval(right, scope);
        if (b instanceof OclInvalid) return b;
        return arithmetic(op, a, b, pos);
      }
    }
  }

  /**
   * The Boolean operators with OCL 2.4's truth tables over true, false, null and invalid
   * (section 11.5.4): a deciding operand wins whatever the other is (`false and x` is
   * false, `true or x` is true, `false implies x` is true, also for `x` invalid); otherwise
   * invalid beats null, and null beats the rest. Operands are evaluated left to right and
   * the right one only when the left does not decide.
   */
  private logical(
    op: 'and' | 'or' | 'implies' | 'xor',
    left: Expr,
    right: Expr,
    scope: Scope,
  ): Value {
    const a = this.logicalOperand(op, left, 'left', scope);
    if (op === 'and' && a === false) return false;
    if (op === 'or' && a === true) return true;
    if (op === 'implies' && a === false) return true;
    const b = this.logicalOperand(op, right, 'right', scope);
    if (op === 'and' && b === false) return false;
    if ((op === 'or' || op === 'implies') && b === true) return true;
    if (a instanceof OclInvalid) return a;
    if (b instanceof OclInvalid) return b;
    if (a === null || b === null) return null;
    switch (op) {
      case 'and':
        return a && b;
      case 'or':
        return a || b;
      case 'implies':
        return !a || b;
      case 'xor':
        return a !== b;
    }
  }

  /** An operand of a Boolean operator: a Boolean, null or invalid (a wrong type is invalid). */
  private logicalOperand(
    op: BinaryOp,
    operand: Expr,
    side: 'left' | 'right',
    scope: Scope,
  ): boolean | null | OclInvalid {
    const v = this.eval(operand, scope);
    if (typeof v === 'boolean' || v === null || v instanceof OclInvalid) return v;
    return typeError(
      `type error: ${side} operand of '${op}' must be a Boolean, not ${typeName(v)} ${describeValue(v)}`,
      operand.pos,
    );
  }
}

/** Call an operation implementation, turning its `fail(...)` into the invalid value. */
function call<S>(op: Op<S>, source: S, args: Value[], pos: SourcePosition): Value {
  try {
    return op(source, args, pos);
  } catch (err) {
    if (err instanceof Invalidate) return err.invalid;
    throw err;
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

const toReal = (v: bigint | number): number => (typeof v === 'bigint' ? Number(v) : v);

/** `=`, `<>`, comparisons and arithmetic on two values that are not invalid. */
function arithmetic(op: BinaryOp, a: Value, b: Value, pos: SourcePosition): Value {
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
      if (typeof a === 'string' || typeof b === 'string') return concat(a, b, pos);
      return numeric(op, a, b, pos);
    case '-':
      if (a instanceof OclCollection && b === null)
        return new OclInvalid("right operand of '-' is null, not a collection", pos);
      if (a instanceof OclCollection && b instanceof OclCollection && isUnique(a.kind))
        // Set and OrderedSet difference (OCL 2.4 sections 11.7.1, 11.7.3).
        return new OclCollection(
          a.kind,
          a.items.filter((x) => !includes(b, x)),
        );
      return numeric(op, a, b, pos);
    case '*':
    case '/':
      return numeric(op, a, b, pos);
    default:
      return typeError(`unknown operator '${op}'`, pos);
  }
}

/** `String + String`. The message names the operand that is null, or both types. */
function concat(a: Value, b: Value, pos: SourcePosition): Value {
  if (typeof a === 'string' && typeof b === 'string') return boundedString(a + b, pos);
  const side = a === null ? 'left' : 'right';
  return wrong(
    a === null ? a : b,
    `${side} operand of '+' is null; '+' joins two Strings (guard it with oclIsUndefined())`,
    `type error: '+' needs two numbers or two Strings, not ${typeName(a)} ${describeValue(a)} and ${typeName(b)} ${describeValue(b)}`,
    pos,
  );
}

/**
 * Integer has no bound in OCL, but a constraint that squares in a closure would take the
 * machine's memory: an Integer beyond 65,536 bits (about 19,700 digits) stops the
 * evaluation as a work limit does. Strings stop at a million characters likewise.
 */
const INTEGER_LIMIT = 1n << 65_536n;
const STRING_LIMIT = 1_000_000;

function bounded(v: bigint, pos: SourcePosition): bigint {
  if (v >= INTEGER_LIMIT || v <= -INTEGER_LIMIT)
    throw new OclEvalError('an Integer grew beyond 65,536 bits; evaluation stopped', pos);
  return v;
}

function boundedString(v: string, pos: SourcePosition): string {
  if (v.length > STRING_LIMIT)
    throw new OclEvalError(
      `a String grew beyond ${STRING_LIMIT} characters; evaluation stopped`,
      pos,
    );
  return v;
}

/** Integer op Integer stays Integer (any size), except `/`; anything with a Real is Real. */
function numeric(op: '+' | '-' | '*' | '/', a: Value, b: Value, pos: SourcePosition): Value {
  if (!isNumeric(a) || !isNumeric(b)) {
    const [side, bad, other] = !isNumeric(a) ? ['left', a, b] : ['right', b, a];
    return wrong(
      bad,
      `${side} operand of '${op}' is null (guard it with oclIsUndefined())`,
      `type error: ${side} operand of '${op}' must be a number, not ${typeName(bad)} ${describeValue(bad)} (the other operand is ${typeName(other)})`,
      pos,
    );
  }
  if (op === '/') {
    if (toReal(b) === 0)
      return new OclInvalid(`division by zero (${formatValue(a)} / ${formatValue(b)})`, pos);
    return toReal(a) / toReal(b);
  }
  if (typeof a === 'bigint' && typeof b === 'bigint')
    return bounded(op === '+' ? a + b : op === '-' ? a - b : a * b, pos);
  const x = toReal(a);
  const y = toReal(b);
  return op === '+' ? x + y : op === '-' ? x - y : x * y;
}

function compare(op: '<' | '<=' | '>' | '>=', a: Value, b: Value, pos: SourcePosition): Value {
  const comparable =
    (isNumeric(a) && isNumeric(b)) || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) {
    if (a === null || b === null)
      return new OclInvalid(
        `cannot compare null using '${op}' (guard it with oclIsUndefined())`,
        pos,
      );
    return typeError(
      `type error: cannot compare ${typeName(a)} ${describeValue(a)} with ${typeName(b)} ${describeValue(b)} using '${op}'`,
      pos,
    );
  }
  // JavaScript compares bigint with number exactly.
  const x = a as string | number | bigint;
  const y = b as string | number | bigint;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

type Op<S> = (source: S, args: Value[], pos: SourcePosition) => Value;

function arity<S>(n: number, name: string, fn: Op<S>): Op<S> {
  return (source, args, pos) => {
    if (args.length !== n) typeError(`${name}() takes ${n} argument(s), not ${args.length}`, pos);
    return fn(source, args, pos);
  };
}

const needString = (v: Value | undefined, name: string, pos: SourcePosition): string => {
  if (typeof v === 'string') return v;
  return v === null || v === undefined
    ? fail(`${name}() got null where it needs a String`, pos)
    : typeError(`type error: ${name}() needs a String, not ${typeName(v)}`, pos);
};
const needNumber = (v: Value | undefined, name: string, pos: SourcePosition): bigint | number => {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  return v === null || v === undefined
    ? fail(`${name}() got null where it needs a number`, pos)
    : typeError(`type error: ${name}() needs a number, not ${typeName(v)}`, pos);
};
const needInteger = (v: Value | undefined, name: string, pos: SourcePosition): bigint => {
  if (typeof v === 'bigint') return v;
  return v === null || v === undefined
    ? fail(`${name}() got null where it needs an Integer`, pos)
    : typeError(`type error: ${name}() needs an Integer, not ${typeName(v)}`, pos);
};

/** Math.floor / Math.round of a Real as an Integer; an Integer is already one. */
const toInteger = (
  v: bigint | number,
  round: (x: number) => number,
  name: string,
  pos: SourcePosition,
): bigint => {
  if (typeof v === 'bigint') return v;
  if (!Number.isFinite(v)) return fail(`${name}() of ${formatReal(v)} is not an Integer`, pos);
  return BigInt(round(v));
};

/** The larger (or smaller) of two numbers: Integer if both are, else Real. */
function extreme(a: bigint | number, b: bigint | number, max: boolean): bigint | number {
  const pick = max ? a >= b : a <= b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return pick ? a : b;
  return toReal(pick ? a : b);
}

/** Operations on single values (OCL 2.4 sections 11.5.1–11.5.4): `'abc'.size()`, `x.abs()`. */
type Scalar = Exclude<Value, null | OclInvalid | OclCollection>;

const SCALAR_OPS: Record<string, Op<Scalar>> = {
  size: arity(0, 'size', (s, _a, pos) => BigInt(needString(s, 'size', pos).length)),
  concat: arity(1, 'concat', (s, [a], pos) =>
    boundedString(needString(s, 'concat', pos) + needString(a, 'concat', pos), pos),
  ),
  substring: arity(2, 'substring', (s, [lo, hi], pos) => {
    const text = needString(s, 'substring', pos);
    const from = needInteger(lo, 'substring', pos);
    const to = needInteger(hi, 'substring', pos);
    // 1-based and inclusive: 1 <= lower <= upper <= size (OCL 2.4 section 11.5.3).
    if (from < 1n || to > BigInt(text.length) || from > to)
      fail(`substring(${from}, ${to}) is out of range for a String of size ${text.length}`, pos);
    return text.slice(Number(from) - 1, Number(to));
  }),
  toUpper: arity(0, 'toUpper', (s, _a, pos) => needString(s, 'toUpper', pos).toUpperCase()),
  toLower: arity(0, 'toLower', (s, _a, pos) => needString(s, 'toLower', pos).toLowerCase()),
  toUpperCase: arity(0, 'toUpperCase', (s, _a, pos) =>
    needString(s, 'toUpperCase', pos).toUpperCase(),
  ),
  toLowerCase: arity(0, 'toLowerCase', (s, _a, pos) =>
    needString(s, 'toLowerCase', pos).toLowerCase(),
  ),
  at: arity(1, 'at', (s, [i], pos) => {
    const text = needString(s, 'at', pos);
    const index = needInteger(i, 'at', pos);
    if (index < 1n || index > BigInt(text.length))
      fail(`at(${index}) is out of range for a String of size ${text.length}`, pos);
    return text.charAt(Number(index) - 1);
  }),
  indexOf: arity(1, 'indexOf', (s, [a], pos) => {
    const text = needString(s, 'indexOf', pos);
    const part = needString(a, 'indexOf', pos);
    return BigInt(text.indexOf(part) + 1); // 1-based; 0 when absent
  }),
  startsWith: arity(1, 'startsWith', (s, [a], pos) =>
    needString(s, 'startsWith', pos).startsWith(needString(a, 'startsWith', pos)),
  ),
  endsWith: arity(1, 'endsWith', (s, [a], pos) =>
    needString(s, 'endsWith', pos).endsWith(needString(a, 'endsWith', pos)),
  ),
  toInteger: arity(0, 'toInteger', (s, _a, pos) => {
    const text = needString(s, 'toInteger', pos).trim();
    // Eclipse OCL answers null for text that is not a number.
    return /^[+-]?\d+$/.test(text) ? BigInt(text) : null;
  }),
  toReal: arity(0, 'toReal', (s, _a, pos) => {
    const text = needString(s, 'toReal', pos).trim();
    return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : null;
  }),
  toString: arity(0, 'toString', (s: Scalar) => formatValue(s)),
  abs: arity(0, 'abs', (s, _a, pos) => {
    const n = needNumber(s, 'abs', pos);
    return n < 0 ? -n : n;
  }),
  floor: arity(0, 'floor', (s, _a, pos) =>
    toInteger(needNumber(s, 'floor', pos), Math.floor, 'floor', pos),
  ),
  round: arity(0, 'round', (s, _a, pos) =>
    toInteger(needNumber(s, 'round', pos), Math.round, 'round', pos),
  ),
  max: arity(1, 'max', (s, [a], pos) =>
    extreme(needNumber(s, 'max', pos), needNumber(a, 'max', pos), true),
  ),
  min: arity(1, 'min', (s, [a], pos) =>
    extreme(needNumber(s, 'min', pos), needNumber(a, 'min', pos), false),
  ),
  div: arity(1, 'div', (s, [a], pos) => {
    const d = needInteger(a, 'div', pos);
    if (d === 0n) fail(`division by zero (${formatValue(s)}.div(0))`, pos);
    return needInteger(s, 'div', pos) / d; // truncates toward zero, as Java's BigInteger
  }),
  mod: arity(1, 'mod', (s, [a], pos) => {
    const d = needInteger(a, 'mod', pos);
    if (d === 0n) fail(`division by zero (${formatValue(s)}.mod(0))`, pos);
    return needInteger(s, 'mod', pos) % d;
  }),
};

const includes = (c: OclCollection, v: Value): boolean => c.items.some((x) => valueEquals(x, v));

/** The element at a 1-based index, or invalid. */
function at(c: OclCollection, index: bigint, name: string, pos: SourcePosition): Value {
  if (index < 1n || index > BigInt(c.items.length))
    return fail(
      `${name}: index ${index} is out of range for a ${c.kind} of size ${c.items.length}`,
      pos,
    );
  return c.items[Number(index) - 1] ?? null;
}

/** Sum of numbers: Integer while every item is one, else Real. */
function sum(c: OclCollection, pos: SourcePosition): Value {
  let int = 0n;
  let real = 0;
  let isReal = false;
  for (const x of c.items) {
    const n = needNumber(x, 'sum', pos);
    if (typeof n === 'bigint') int = bounded(int + n, pos);
    else {
      real += n;
      isReal = true;
    }
  }
  return isReal ? real + Number(int) : int;
}

function extremeOf(c: OclCollection, max: boolean, pos: SourcePosition): Value {
  const name = max ? 'max' : 'min';
  if (c.items.length === 0) return fail(`${name}() of an empty collection`, pos);
  // Elements that are not numbers make it invalid, as in Eclipse OCL.
  const number = (x: Value | undefined): bigint | number =>
    isNumeric(x ?? null)
      ? (x as bigint | number)
      : fail(`${name}(): ${typeName(x ?? null)} ${formatValue(x ?? null)} is not a number`, pos);
  let best = number(c.items[0]);
  for (const x of c.items) best = extreme(best, number(x), max);
  return best;
}

/** The kind of `a->union(b)`: unique only when both are; ordered only when both are. */
function unionKind(a: CollectionKind, b: CollectionKind): CollectionKind {
  if (isOrdered(a) && isOrdered(b)) return isUnique(a) && isUnique(b) ? 'OrderedSet' : 'Sequence';
  return isUnique(a) && isUnique(b) ? 'Set' : 'Bag';
}

function needOrdered(c: OclCollection, name: string, pos: SourcePosition): void {
  if (!isOrdered(c.kind))
    typeError(`type error: ${name}() needs a Sequence or an OrderedSet, not a ${c.kind}`, pos);
}

/** Operations after `->` that take plain arguments (OCL 2.4 sections 11.6–11.7). */
const COLLECTION_OPS: Record<string, Op<OclCollection>> = {
  size: arity(0, 'size', (c) => BigInt(c.items.length)),
  isEmpty: arity(0, 'isEmpty', (c) => c.items.length === 0),
  notEmpty: arity(0, 'notEmpty', (c) => c.items.length > 0),
  includes: arity(1, 'includes', (c, [v]) => includes(c, v ?? null)),
  excludes: arity(1, 'excludes', (c, [v]) => !includes(c, v ?? null)),
  includesAll: arity(1, 'includesAll', (c, [v]) =>
    asCollection(v ?? null).items.every((x) => includes(c, x)),
  ),
  excludesAll: arity(1, 'excludesAll', (c, [v]) =>
    asCollection(v ?? null).items.every((x) => !includes(c, x)),
  ),
  count: arity(1, 'count', (c, [v]) =>
    BigInt(c.items.filter((x) => valueEquals(x, v ?? null)).length),
  ),
  asSet: arity(0, 'asSet', (c) => made('Set', [...c.items])),
  asOrderedSet: arity(0, 'asOrderedSet', (c) => made('OrderedSet', [...c.items])),
  asBag: arity(0, 'asBag', (c) => new OclCollection('Bag', c.items)),
  asSequence: arity(0, 'asSequence', (c) => new OclCollection('Sequence', c.items)),
  first: arity(0, 'first', (c, _a, pos) => at(c, 1n, 'first()', pos)),
  last: arity(0, 'last', (c, _a, pos) => at(c, BigInt(c.items.length), 'last()', pos)),
  at: arity(1, 'at', (c, [i], pos) => at(c, needInteger(i, 'at', pos), 'at()', pos)),
  indexOf: arity(1, 'indexOf', (c, [v], pos) => {
    const i = c.items.findIndex((x) => valueEquals(x, v ?? null));
    return i < 0
      ? fail(`indexOf: ${formatValue(v ?? null)} is not in the ${c.kind}`, pos)
      : BigInt(i + 1);
  }),
  including: arity(1, 'including', (c, [v]) => made(c.kind, [...c.items, v ?? null])),
  excluding: arity(
    1,
    'excluding',
    (c, [v]) =>
      new OclCollection(
        c.kind,
        c.items.filter((x) => !valueEquals(x, v ?? null)),
      ),
  ),
  append: arity(1, 'append', (c, [v], pos) => {
    needOrdered(c, 'append', pos);
    return made(
      c.kind,
      isUnique(c.kind)
        ? [...c.items.filter((x) => !valueEquals(x, v ?? null)), v ?? null]
        : [...c.items, v ?? null],
    );
  }),
  prepend: arity(1, 'prepend', (c, [v], pos) => {
    needOrdered(c, 'prepend', pos);
    return made(c.kind, [v ?? null, ...c.items]);
  }),
  union: arity(1, 'union', (c, [v]) => {
    const other = asCollection(v ?? null);
    return made(unionKind(c.kind, other.kind), [...c.items, ...other.items]);
  }),
  sum: arity(0, 'sum', (c, _a, pos) => sum(c, pos)),
  max: arity(0, 'max', (c, _a, pos) => extremeOf(c, true, pos)),
  min: arity(0, 'min', (c, _a, pos) => extremeOf(c, false, pos)),
};

/**
 * The operations the evaluator knows, by where they are written: after `.` on a single value,
 * after `->` on a collection (also after `.` on one, an extension), and the iterators.
 * `oclIsUndefined()` and `oclIsInvalid()` apply to every value.
 */
export const OPERATIONS = {
  any: ['oclIsUndefined', 'oclIsInvalid'],
  scalar: Object.keys(SCALAR_OPS),
  collection: Object.keys(COLLECTION_OPS),
  iterators: [...ITERATOR_OPS],
} as const;
