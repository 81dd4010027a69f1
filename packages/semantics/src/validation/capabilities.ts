import type { ExecutorCapabilities, ExecutorNode, Severity } from '@reelflow/fbp-model';
import type { NodeView } from './model.js';
import type { Acceptor } from './registry.js';

/** How validation uses capabilities: the designer shows warnings, a run submission errors. */
export interface CapabilityCheck {
  readonly capabilities: ExecutorCapabilities;
  readonly severity?: Severity;
}

const CONSTRAINT =
  /^node\.(role|hostname|id|platform\.(os|arch)|labels\.([A-Za-z0-9_.-]+))\s*(==|!=)\s*(.+)$/;

/**
 * Whether a machine satisfies one Swarm placement constraint (the forms `PLACEMENT_PATTERN`
 * of the library accepts). An attribute the runtime does not know (a node id or platform
 * it was not told) counts as satisfied: the rule reports only what it knows to be wrong.
 */
export function satisfies(node: ExecutorNode, constraint: string): boolean {
  const m = CONSTRAINT.exec(constraint.trim());
  if (!m) return true;
  const attr = m[1] as string;
  const label = m[3];
  const op = m[4] as string;
  const value = m[5] as string;
  let actual: string | undefined;
  if (label !== undefined) actual = node.labels[label];
  else if (attr === 'role') actual = node.role;
  else if (attr === 'hostname') actual = node.hostname;
  else if (attr === 'id') {
    if (node.id === undefined) return true;
    actual = node.id;
  } else {
    const v = attr === 'platform.os' ? node.platform?.os : node.platform?.arch;
    if (v === undefined) return true;
    actual = v;
  }
  // Swarm: a missing label is unequal to every value.
  return op === '==' ? actual === value.trim() : actual !== value.trim();
}

/** Whether a machine offers a device: the path itself, or a directory above it. */
export const hasDevice = (node: ExecutorNode, device: string): boolean =>
  node.devices.some((d) => d === device || device.startsWith(`${d.replace(/\/+$/, '')}/`));

const machine = (n: ExecutorNode): string => `${n.hostname} (${n.role})`;

/**
 * `executor-capability`: a node whose placement constraints no machine of the executor
 * satisfies, or whose devices (`NodeTypeDef.devices`: a hardware encode's `/dev/dri`) no
 * machine it may run on offers. Such a task would wait forever on Swarm or fail at run time.
 */
export function checkExecutorCapability(check: CapabilityCheck) {
  const severity = check.severity ?? 'error';
  const { capabilities } = check;
  return (node: NodeView, accept: Acceptor): void => {
    if (!node.def) return;
    const params = node.params();
    const placement = Array.isArray(params.placement)
      ? params.placement.filter((c): c is string => typeof c === 'string')
      : [];
    const devices = node.def.devices?.(params) ?? [];
    if (devices.length === 0 && (placement.length === 0 || !capabilities.placement)) return;
    const machines = capabilities.nodes.map(machine).join(', ') || 'none';
    const eligible = capabilities.placement
      ? capabilities.nodes.filter((n) => placement.every((c) => satisfies(n, c)))
      : capabilities.nodes;
    if (eligible.length === 0) {
      accept(
        severity,
        `no machine of the ${capabilities.executor} executor satisfies the placement of ${node.node.type} '${node.id}' (${placement.join(', ')}); machines: ${machines}`,
        { property: 'params.placement' },
      );
      return;
    }
    const missing = devices.filter((d) => !eligible.some((n) => hasDevice(n, d)));
    if (missing.length === 0) return;
    const where = capabilities.placement && placement.length > 0 ? ' it may run on' : '';
    const hint =
      capabilities.executor === 'swarm'
        ? '; on Swarm, label a node that has it: docker node update --label-add reelflow.devices=dri NODE'
        : '';
    accept(
      severity,
      `${node.node.type} '${node.id}' needs ${missing.join(', ')}, which no machine${where} of the ${capabilities.executor} executor has (${eligible.map(machine).join(', ')})${hint}`,
    );
  };
}
