import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraph, type ExecutorCapabilities, type Graph } from '@reelflow/fbp-model';
import { createServices } from './services.js';

const example = loadGraph(
  JSON.parse(
    readFileSync(
      new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
      'utf8',
    ),
  ),
).graph as Graph;

/** The example with a hardware encode. */
const hardware: Graph = {
  ...example,
  nodes: example.nodes.map((n) =>
    n.id === 'enc' ? { ...n, params: { ...n.params, implementation: 'hardware' } } : n,
  ),
};

/** What GET /api/executor/capabilities answers on a local machine without a GPU. */
const noGpu: ExecutorCapabilities = {
  executor: 'local',
  placement: false,
  nodes: [{ hostname: 'box', role: 'manager', labels: {}, devices: [] }],
};

const capabilityIssues = (ds: readonly { code: string; severity: string }[]) =>
  ds.filter((d) => d.code === 'executor-capability').map((d) => d.severity);

describe('designer services with the runtime capabilities', () => {
  it('warn about a hardware encode the machines cannot run, in both validations', () => {
    const services = createServices();
    expect(capabilityIssues(services.validateFast(hardware))).toEqual([]);
    services.setCapabilities(noGpu);
    expect(capabilityIssues(services.validateFast(hardware))).toEqual(['warning']);
    expect(capabilityIssues(services.validateAll(hardware, ''))).toEqual(['warning']);
    expect(capabilityIssues(services.validateAll(example, ''))).toEqual([]);
    services.setCapabilities(undefined);
    expect(capabilityIssues(services.validateAll(hardware, ''))).toEqual([]);
  });
});
