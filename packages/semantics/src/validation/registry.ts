import { diagnostic, type Diagnostic, type ElementRef, type Severity } from '@reelflow/fbp-model';
import type { EdgeView, GraphModel, NodeView, PortView } from './model.js';

/** The kinds of element a rule can be registered for. */
export type ElementKind = 'graph' | 'node' | 'edge' | 'port';

export interface ElementOf {
  graph: GraphModel;
  node: NodeView;
  edge: EdgeView;
  port: PortView;
}

/** When a rule runs: `fast` on every edit, `slow` only before a run (mode `all`). */
export type RuleTag = 'fast' | 'slow';
export type ValidationMode = 'fast' | 'all';

export interface AcceptInfo {
  /** Defaults to the element being validated. */
  readonly element?: ElementRef;
  readonly property?: string;
  /** Defaults to the code the rule was registered with. */
  readonly code?: string;
}

/** How a rule reports: `accept('error', 'what is wrong', { property: 'params.crf' })`. */
export type Acceptor = (severity: Severity, message: string, info?: AcceptInfo) => void;

/** A rule: a small function that looks at one element and reports through the acceptor. */
export type ValidationRule<K extends ElementKind> = (
  element: ElementOf[K],
  accept: Acceptor,
) => void;

export interface RuleOptions {
  /** The stable diagnostic code the rule reports (also its name unless `name` is given). */
  readonly code?: string;
  readonly tags: readonly RuleTag[];
  /** For messages and benchmarks; defaults to the code. */
  readonly name?: string;
  /** For `node` rules: run only on nodes of this type. */
  readonly nodeType?: string;
}

export interface RegisteredRule<K extends ElementKind = ElementKind> {
  readonly kind: K;
  readonly name: string;
  readonly code: string | undefined;
  readonly tags: readonly RuleTag[];
  readonly nodeType: string | undefined;
  readonly check: ValidationRule<K>;
}

/** Code of the diagnostic a throwing rule turns into. */
export const RULE_EXCEPTION = 'rule-exception';

/** Called around every rule run; the benchmark uses it to find the costliest rules. */
export type RuleObserver = (
  rule: { readonly name: string; readonly kind: ElementKind },
  run: () => void,
) => void;

/**
 * Rules keyed by element kind, in the manner of Langium's `ValidationRegistry`. It keeps no
 * state between validations: results go to the list the caller passes in.
 */
export class ValidationRegistry {
  private readonly byKind: { [K in ElementKind]: RegisteredRule<K>[] } = {
    graph: [],
    node: [],
    edge: [],
    port: [],
  };
  /** Observer for profiling; undefined in normal runs. */
  observer: RuleObserver | undefined;

  register<K extends ElementKind>(kind: K, rule: ValidationRule<K>, options: RuleOptions): this {
    const name =
      options.name ?? options.code ?? (rule.name || `${kind}-rule-${this.byKind[kind].length + 1}`);
    const entry: RegisteredRule<K> = {
      kind,
      name,
      code: options.code,
      tags: options.tags.length > 0 ? options.tags : ['fast'],
      nodeType: options.nodeType,
      check: rule,
    };
    (this.byKind[kind] as RegisteredRule<K>[]).push(entry);
    return this;
  }

  /** Every rule of a kind, in registration order. */
  rules<K extends ElementKind>(kind: K): readonly RegisteredRule<K>[] {
    return this.byKind[kind];
  }

  /** Run the graph-level rules. */
  checkGraph(model: GraphModel, mode: ValidationMode, out: Diagnostic[]): void {
    this.run('graph', model, mode, out);
  }

  /** Run the rules of one node and of each of its ports. */
  checkNode(node: NodeView, mode: ValidationMode, out: Diagnostic[]): void {
    this.run('node', node, mode, out);
    if (this.byKind.port.length > 0)
      for (const port of node.ports()) this.run('port', port, mode, out);
  }

  checkEdge(edge: EdgeView, mode: ValidationMode, out: Diagnostic[]): void {
    this.run('edge', edge, mode, out);
  }

  /** Full validation of one graph: graph rules, then each node with its ports, then each edge. */
  validate(model: GraphModel, mode: ValidationMode): Diagnostic[] {
    const out: Diagnostic[] = [];
    this.checkGraph(model, mode, out);
    for (const node of model.nodes) this.checkNode(node, mode, out);
    for (const edge of model.edges) this.checkEdge(edge, mode, out);
    return out;
  }

  private run<K extends ElementKind>(
    kind: K,
    element: ElementOf[K],
    mode: ValidationMode,
    out: Diagnostic[],
  ): void {
    const nodeType = kind === 'node' ? (element as NodeView).node.type : undefined;
    for (const rule of this.byKind[kind]) {
      if (mode === 'fast' && !rule.tags.includes('fast')) continue;
      if (rule.nodeType !== undefined && rule.nodeType !== nodeType) continue;
      if (this.observer) this.observer(rule, () => this.collector.run(rule, element, out));
      else this.collector.run(rule, element, out);
    }
  }

  // One collector serves every rule run: validation runs hundreds of thousands of them.
  private readonly collector = new Collector();
}

type Reported = { readonly code: string | undefined; readonly name: string };

/**
 * Runs one rule on one element and collects what it reports. Reused across runs, with its
 * current rule saved and restored, so a rule that validates something itself stays correct.
 */
class Collector {
  private rule: Reported | undefined;
  private element: { readonly ref: ElementRef } | undefined;
  private out: Diagnostic[] = [];
  private readonly acceptor: Acceptor = (severity, message, info) => {
    const rule = this.rule as Reported;
    const code = info?.code ?? rule.code ?? rule.name;
    const ref = info?.element ?? (this.element as { ref: ElementRef }).ref;
    this.out.push(diagnostic(code, severity, message, ref, info?.property));
  };

  run<K extends ElementKind>(
    rule: RegisteredRule<K>,
    element: ElementOf[K],
    out: Diagnostic[],
  ): void {
    const savedRule = this.rule;
    const savedElement = this.element;
    const savedOut = this.out;
    this.rule = rule;
    this.element = element;
    this.out = out;
    try {
      rule.check(element, this.acceptor);
    } catch (err) {
      // Langium's wrapValidationException: a broken rule is reported, the rest still run.
      const reason = err instanceof Error ? err.message : String(err);
      const ref = element.ref;
      const message = `rule '${rule.name}' failed on ${ref.kind} '${ref.id}': ${reason}`;
      out.push(diagnostic(RULE_EXCEPTION, 'error', message, ref));
    } finally {
      this.rule = savedRule;
      this.element = savedElement;
      this.out = savedOut;
    }
  }
}
