/** How tokens travel: along every outgoing edge, into tasks or into a join's groups. */
import type { ChunkGroup, Token } from '@reelflow/fbp-model';
import type { Draft } from './draft.js';
import { createTask } from './lifecycle.js';
import { pvecEmpty, pvecGet, pvecSet, pvecToArray } from './pvec.js';
import type { JoinGroup, NodeInfo, TaskRecord } from './types.js';

function markStuck(d: Draft, nodeId: string, token: Token, reason: string): void {
  d.edit(nodeId).stuck += 1;
  d.emit({ type: 'token:stuck', nodeId, tokenId: token.id, reason });
}

/** A join collects a group's chunks by index and fires once the group is whole. */
function joinToken(d: Draft, nodeId: string, token: Token): void {
  const group = token.group;
  if (!group || !Number.isInteger(group.count) || group.count < 1) {
    markStuck(
      d,
      nodeId,
      token,
      'a join takes chunk tokens of one split group, and this token has no group',
    );
    return;
  }
  const node = d.edit(nodeId);
  const held: JoinGroup = node.groups[group.id] ?? {
    id: group.id,
    count: group.count,
    received: 0,
    tokens: pvecEmpty(),
    prefix: 0,
  };
  if (group.index < 0 || group.index >= held.count || pvecGet(held.tokens, group.index)) {
    markStuck(
      d,
      nodeId,
      token,
      `chunk ${group.index} of group ${group.id} is out of range or arrived twice`,
    );
    return;
  }
  const tokens = pvecSet(held.tokens, group.index, token, null);
  let prefix = held.prefix;
  while (prefix < held.count && pvecGet(tokens, prefix)) prefix += 1;
  const updated: JoinGroup = { ...held, tokens, received: held.received + 1, prefix };
  if (d.info(nodeId).incremental && prefix > held.prefix) {
    d.emit({ type: 'merge:prefix', nodeId, groupId: group.id, ready: prefix, count: held.count });
  }
  const groups = { ...node.groups };
  if (updated.received === updated.count) {
    delete groups[group.id];
    node.groups = groups;
    node.held -= updated.count - 1;
    createTask(d, nodeId, pvecToArray(tokens) as Token[]);
  } else {
    groups[group.id] = updated;
    node.groups = groups;
    node.held += 1;
  }
}

/**
 * A gather holds each incoming edge's tokens in its own slot and fires once every edge has
 * delivered one: the k-th token of each edge together, in the order of the edges.
 */
function gatherToken(d: Draft, nodeId: string, slot: number, token: Token): void {
  const edges = d.info(nodeId).predecessors.length;
  const node = d.edit(nodeId);
  const slots: Record<string, readonly Token[]> = { ...node.slots };
  slots[slot] = [...(slots[slot] ?? []), token];
  const ready = Array.from({ length: edges }, (_, i) => (slots[i]?.length ?? 0) > 0);
  if (!ready.every(Boolean)) {
    node.slots = slots;
    node.held += 1;
    return;
  }
  const inputs = Array.from({ length: edges }, (_, i) => slots[i]![0]!);
  for (let i = 0; i < edges; i++) {
    const rest = slots[i]!.slice(1);
    if (rest.length > 0) slots[i] = rest;
    else delete slots[i];
  }
  node.slots = slots;
  node.held -= edges - 1;
  createTask(d, nodeId, inputs);
}

/** Send a token along every outgoing edge of `fromId`, by the firing kind of each target. */
export function deliver(d: Draft, fromId: string, token: Token): void {
  const { successors, lanes, targetSlots } = d.info(fromId);
  const chunk = token.group?.index;
  for (const lane of lanes) {
    // A grouped chunk takes one of the parallel edges; anything else takes them all.
    const edges = chunk === undefined || lane.length === 1 ? lane : [lane[chunk % lane.length]!];
    for (const edge of edges) enter(d, successors[edge]!, token, targetSlots?.[edge] ?? 0);
  }
}

/**
 * A token arrives at a node, on the target's incoming edge `slot`: a task for per-token
 * nodes, a slot in a group for a join, a slot of a gather.
 */
function enter(d: Draft, nodeId: string, token: Token, slot: number): void {
  const step = d.info(nodeId).passThrough;
  if (step) {
    // A pass-through node runs nothing: the token goes on at once, carrying the node's step.
    d.edit(nodeId).emitted += 1;
    deliver(d, nodeId, { ...token, filters: [...(token.filters ?? []), step] });
    return;
  }
  switch (d.info(nodeId).firing) {
    case 'map':
    case 'fanout':
    case 'sink':
      createTask(d, nodeId, [token]);
      return;
    case 'join':
      joinToken(d, nodeId, token);
      return;
    case 'gather':
      gatherToken(d, nodeId, slot, token);
      return;
    case 'source':
      markStuck(d, nodeId, token, 'a source takes no input');
      return;
    case null:
      markStuck(d, nodeId, token, `node type "${d.info(nodeId).type}" is not in the library`);
      return;
  }
}

/** Outputs as they travel on: chunk tokens always carry their group. */
export function normalizeOutputs(
  info: NodeInfo,
  task: TaskRecord,
  outputs: readonly Token[],
): Token[] {
  if (info.firing === 'fanout') {
    return outputs.map((t, i) => {
      if (t.group) return t;
      const group: ChunkGroup = {
        id: `${info.id}#${task.index}`,
        origin: info.id,
        index: i,
        count: outputs.length,
      };
      return { ...t, group };
    });
  }
  const inherited = info.firing === 'map' ? task.inputs[0]?.group : undefined;
  return inherited ? outputs.map((t) => (t.group ? t : { ...t, group: inherited })) : [...outputs];
}
