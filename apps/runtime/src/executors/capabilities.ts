import { access } from 'node:fs/promises';
import os from 'node:os';
import { VAAPI_DEVICE } from '@reelflow/library';
import type { ExecutorCapabilities, ExecutorNode } from '@reelflow/fbp-model';

/** The VAAPI render node a hardware encode opens (the encode node's `devices`). */
export const RENDER_NODE = VAAPI_DEVICE;

/**
 * Node label saying which host devices a Swarm node offers to tasks: comma-separated names
 * under /dev, e.g. `reelflow.devices=dri` for `/dev/dri`. The Docker API does not list a
 * node's devices, so without the label a node offers none (docs/validation-capabilities.md).
 */
export const DEVICES_LABEL = 'reelflow.devices';

/** This machine, as the local executor runs tasks on it: the render node if it exists. */
export async function localCapabilities(): Promise<ExecutorCapabilities> {
  const devices = (await access(RENDER_NODE).then(
    () => true,
    () => false,
  ))
    ? [RENDER_NODE]
    : [];
  return {
    executor: 'local',
    placement: false,
    nodes: [
      {
        hostname: os.hostname(),
        role: 'manager',
        labels: {},
        platform: { os: os.platform(), arch: os.arch() },
        devices,
      },
    ],
  };
}

/** The fields of `docker.listNodes()` entries (Docker Engine API `Node`) read here. */
export interface SwarmNodeInfo {
  readonly ID: string;
  readonly Spec?: { Role?: string; Labels?: Record<string, string>; Availability?: string };
  readonly Description?: { Hostname?: string; Platform?: { OS?: string; Architecture?: string } };
  readonly Status?: { State?: string };
}

/**
 * The machines of a swarm that can take tasks (ready and active; a drained or down node
 * cannot), with their role, labels, platform and the devices their `reelflow.devices` label
 * names. Pure: the executor passes what `docker.listNodes()` answered.
 */
export function swarmCapabilities(nodes: readonly SwarmNodeInfo[]): ExecutorCapabilities {
  const usable = nodes.filter(
    (n) =>
      (n.Status?.State ?? 'ready') === 'ready' && (n.Spec?.Availability ?? 'active') === 'active',
  );
  return {
    executor: 'swarm',
    placement: true,
    nodes: usable.map((n): ExecutorNode => {
      const labels = n.Spec?.Labels ?? {};
      const os = n.Description?.Platform?.OS;
      const arch = n.Description?.Platform?.Architecture;
      return {
        hostname: n.Description?.Hostname ?? n.ID,
        id: n.ID,
        role: n.Spec?.Role ?? 'worker',
        labels,
        ...(os || arch ? { platform: { ...(os ? { os } : {}), ...(arch ? { arch } : {}) } } : {}),
        devices: (labels[DEVICES_LABEL] ?? '')
          .split(',')
          .map((d) => d.trim())
          .filter((d) => /^[A-Za-z0-9_.-]+$/.test(d))
          .map((d) => `/dev/${d}`),
      };
    }),
  };
}
