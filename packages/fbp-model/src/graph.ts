import { z } from 'zod';

/** The schema version this build writes. Older documents are migrated on load. */
export const CURRENT_SCHEMA_VERSION = 1;

export const PositionSchema = z.object({ x: z.number(), y: z.number() });
export type Position = z.infer<typeof PositionSchema>;

/**
 * One end of an edge: a node id and the name of one of its ports. `index` addresses one
 * connection of an array port, as FBP graphs (NoFlo) do; Reelflow's own node types leave it out.
 */
export const PortRefSchema = z.object({
  node: z.string().min(1),
  port: z.string().min(1),
  index: z.number().int().nonnegative().optional(),
});
export type PortRef = z.infer<typeof PortRefSchema>;

export const GraphNodeSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  label: z.string().optional(),
  position: PositionSchema.optional(),
  /** Parameters are checked against the node type's own schema by validation, not here. */
  params: z.record(z.string(), z.unknown()).default({}),
  /**
   * Data other tools keep on this node, which Reelflow carries but never reads: the FBP
   * process metadata beyond position, label and params (sizes, icons, colours).
   */
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type GraphNode = z.infer<typeof GraphNodeSchema>;

export const EdgeSchema = z.object({
  id: z.string().min(1),
  from: PortRefSchema,
  to: PortRefSchema,
  label: z.string().optional(),
  /** Data other tools keep on this edge (FBP connection metadata such as `route`), carried as is. */
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Edge = z.infer<typeof EdgeSchema>;

/** A graph document (`*.reelflow.json`). Unknown top-level keys are kept (`looseObject`). */
export const GraphSchema = z.looseObject({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id: z.string().min(1),
  name: z.string(),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(EdgeSchema),
});
export type Graph = z.infer<typeof GraphSchema>;

/** An empty graph, the starting point of the designer and of tests. */
export function emptyGraph(id = 'untitled', name = 'Untitled flow'): Graph {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, id, name, nodes: [], edges: [] };
}
