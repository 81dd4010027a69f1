import type {
  Edge,
  ElementRef,
  Graph,
  GraphNode,
  NodeLibrary,
  NodeTypeDef,
  PortSpec,
} from '@reelflow/fbp-model';

/**
 * Values computed once per graph model, each with the node ids its computation read; a
 * cache hit replays those reads, so incremental validation sees the same dependencies.
 */
const NO_READS: readonly string[] = [];

class Memo {
  private readonly entries = new Map<string, { value: unknown; reads: readonly string[] }>();

  get<T>(model: GraphModel, key: string, compute: () => T): T {
    let hit = this.entries.get(key);
    if (!hit) {
      if (model.tracking) {
        const { result, reads } = model.recording(compute);
        hit = { value: result, reads: [...reads] };
      } else {
        hit = { value: compute(), reads: NO_READS };
      }
      this.entries.set(key, hit);
    } else {
      for (const id of hit.reads) model.touch(id);
    }
    return hit.value as T;
  }
}

/** A port of one node in one graph: the node type's port spec plus its place. */
export class PortView {
  readonly kind = 'port';
  /** `nodeId.portName`, as diagnostics name ports. */
  readonly id: string;

  constructor(
    readonly node: NodeView,
    readonly spec: PortSpec,
  ) {
    this.id = `${node.id}.${spec.name}`;
  }

  get ref(): ElementRef {
    return { kind: 'port', id: this.id };
  }

  /** Inputs are required unless the node type says otherwise. */
  get required(): boolean {
    return this.spec.direction === 'in' && this.spec.required !== false;
  }

  private readonly memo = new Memo();

  /** Like `NodeView.derived`, for values derived from this port. */
  derived<T>(key: string, compute: () => T): T {
    return this.memo.get(this.node.model, key, compute);
  }

  /** Edges attached to this port from the proper side (an input's incoming edges). */
  edges(): readonly EdgeView[] {
    return this.derived('edges', () => {
      const { model } = this.node;
      const all =
        this.spec.direction === 'in' ? model.incoming(this.node.id) : model.outgoing(this.node.id);
      return all.filter((e) =>
        this.spec.direction === 'in'
          ? e.edge.to.port === this.spec.name
          : e.edge.from.port === this.spec.name,
      );
    });
  }
}

/** A node of the graph with lazy access to its type, ports and neighbours. */
export class NodeView {
  readonly kind = 'node';
  private portViews: readonly PortView[] | undefined;
  private readonly memo = new Memo();

  constructor(
    readonly model: GraphModel,
    readonly node: GraphNode,
    /** Undefined when the type is not in the library. */
    readonly def: NodeTypeDef | undefined,
  ) {}

  get id(): string {
    return this.node.id;
  }

  get ref(): ElementRef {
    return { kind: 'node', id: this.node.id };
  }

  ports(): readonly PortView[] {
    this.model.touch(this.node.id);
    this.portViews ??= (this.def?.ports ?? []).map((spec) => new PortView(this, spec));
    return this.portViews;
  }

  /**
   * A value derived from this node and its surroundings, computed once per model. Its
   * reads are replayed on every use, so dependency recording stays exact.
   */
  derived<T>(key: string, compute: () => T): T {
    return this.memo.get(this.model, key, compute);
  }

  port(name: string, direction?: 'in' | 'out'): PortView | undefined {
    return this.ports().find(
      (p) => p.spec.name === name && (direction === undefined || p.spec.direction === direction),
    );
  }

  /**
   * Parameters with the node type's defaults applied when they satisfy its schema, else
   * the raw ones (their faults are `param-invalid`'s business).
   */
  params(): Record<string, unknown> {
    this.model.touch(this.node.id);
    return this.model.parsedParams(this);
  }
}

/** An edge with its two ends resolved (either may be missing in a broken graph). */
export class EdgeView {
  readonly kind = 'edge';

  private readonly sourceView: NodeView | undefined;
  private readonly targetView: NodeView | undefined;

  constructor(
    readonly model: GraphModel,
    readonly edge: Edge,
    nodes: ReadonlyMap<string, NodeView>,
  ) {
    // Resolved once: ends are read far more often than graphs are built.
    this.sourceView = nodes.get(edge.from.node);
    this.targetView = nodes.get(edge.to.node);
  }

  get id(): string {
    return this.edge.id;
  }

  get ref(): ElementRef {
    return { kind: 'edge', id: this.edge.id };
  }

  source(): NodeView | undefined {
    this.model.touch(this.edge.from.node);
    return this.sourceView;
  }

  target(): NodeView | undefined {
    this.model.touch(this.edge.to.node);
    return this.targetView;
  }

  /** The output port the edge leaves from, if its node and port exist. */
  sourcePort(): PortView | undefined {
    return this.source()?.port(this.edge.from.port, 'out');
  }

  targetPort(): PortView | undefined {
    return this.target()?.port(this.edge.to.port, 'in');
  }
}

/**
 * An indexed, read-only view of one graph for rules and constraints. Every read of a node
 * (its fields, ports or neighbours) is recorded while a recorder is set, so incremental
 * validation knows which results an edit can change.
 */
export class GraphModel {
  readonly kind = 'graph';
  readonly nodes: readonly NodeView[];
  readonly edges: readonly EdgeView[];
  private readonly byId = new Map<string, NodeView>();
  private readonly edgeById = new Map<string, EdgeView>();
  private readonly incomingByNode = new Map<string, EdgeView[]>();
  private readonly outgoingByNode = new Map<string, EdgeView[]>();
  private readonly paramsCache = new WeakMap<NodeView, Record<string, unknown>>();
  /** Ids read since the recorder was set; undefined when nobody listens. */
  private recorder: Set<string> | undefined;
  /** True when two nodes or two edges share an id, so ids do not name one element. */
  readonly hasDuplicateIds: boolean;

  constructor(
    readonly graph: Graph,
    readonly library: NodeLibrary,
    /** Record reads for incremental validation; one-shot validation skips the bookkeeping. */
    readonly tracking = false,
  ) {
    // The first of several same-id elements wins; `duplicate-id` reports the rest.
    this.nodes = graph.nodes.map((n) => new NodeView(this, n, library.get(n.type)));
    for (const view of this.nodes) if (!this.byId.has(view.id)) this.byId.set(view.id, view);
    this.edges = graph.edges.map((e) => new EdgeView(this, e, this.byId));
    for (const view of this.edges) {
      if (!this.edgeById.has(view.id)) this.edgeById.set(view.id, view);
      push(this.outgoingByNode, view.edge.from.node, view);
      push(this.incomingByNode, view.edge.to.node, view);
    }
    this.hasDuplicateIds =
      this.byId.size !== this.nodes.length || this.edgeById.size !== this.edges.length;
  }

  get id(): string {
    return this.graph.id;
  }

  get ref(): ElementRef {
    return { kind: 'graph', id: this.graph.id };
  }

  node(id: string): NodeView | undefined {
    this.touch(id);
    return this.byId.get(id);
  }

  edge(id: string): EdgeView | undefined {
    return this.edgeById.get(id);
  }

  /** Edges whose `to` names the node (whether or not their port exists). */
  incoming(nodeId: string): readonly EdgeView[] {
    this.touch(nodeId);
    return this.incomingByNode.get(nodeId) ?? [];
  }

  outgoing(nodeId: string): readonly EdgeView[] {
    this.touch(nodeId);
    return this.outgoingByNode.get(nodeId) ?? [];
  }

  parsedParams(view: NodeView): Record<string, unknown> {
    let params = this.paramsCache.get(view);
    if (!params) {
      const parsed = view.def?.params.safeParse(view.node.params);
      const raw: unknown = view.node.params;
      // A graph built by hand (not loaded) may lack params; treat that as none given.
      params = parsed?.success && isRecord(parsed.data) ? parsed.data : isRecord(raw) ? raw : {};
      this.paramsCache.set(view, params);
    }
    return params;
  }

  /** Note that the current computation read node `id` (or looked for it). */
  touch(id: string): void {
    this.recorder?.add(id);
  }

  /** Run `fn` and return the node ids it read, besides its result. */
  recording<T>(fn: () => T): { result: T; reads: Set<string> } {
    const outer = this.recorder;
    const reads = new Set<string>();
    this.recorder = reads;
    try {
      return { result: fn(), reads };
    } finally {
      this.recorder = outer;
      if (outer) for (const id of reads) outer.add(id);
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
