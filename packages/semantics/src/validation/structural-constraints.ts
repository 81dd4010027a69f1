/**
 * Built-in rules that hold for every flow graph, whatever its node types, stated in the
 * constraint language itself (CONTRACTS section 4, plus the `Port` context). Rules that
 * need a particular library's node types ship with that library; global graph algorithms
 * (cycles, reachability) and schema checks stay in TypeScript (`rules.ts`).
 */
export const STRUCTURAL_CONSTRAINTS = `
-- A port's data type must match the port feeding it (video to video, chunk to chunk).
context Port inv port-type-mismatch
  'input {self.id} takes {self.dataType} but edge {self.edges->reject(e | e.from.oclIsUndefined() or e.from.dataType = self.dataType).id} brings {self.edges->reject(e | e.from.oclIsUndefined() or e.from.dataType = self.dataType).from.dataType->asSet()}':
  self.direction = 'in' implies
    self.edges->forAll(e | e.from.oclIsUndefined() or e.from.dataType = self.dataType)

-- A single-valued input takes one edge; a merge's many-valued input takes several.
context Port inv port-multiplicity
  'input {self.id} accepts one edge but has {self.edges->size()} ({self.edges.id})':
  (self.direction = 'in' and self.multiplicity = 'one') implies self.edges->size() <= 1

context Port inv required-input-unconnected
  'required input {self.id} ({self.dataType}) has no incoming edge':
  (self.direction = 'in' and self.required) implies self.edges->notEmpty()

context Port inv output-unconnected warning
  'output {self.id} ({self.dataType}) feeds nothing':
  self.direction = 'out' implies self.edges->notEmpty()

-- A source is a node whose type has no inputs; a sink one whose type has no outputs.
context Graph inv no-source
  'the graph has no source node (a node whose type has no inputs, such as source)':
  self.nodes->exists(n | not n.firing.oclIsUndefined() and n.inputPorts->isEmpty())

context Graph inv no-sink
  'the graph has no sink node (a node whose type has no outputs, such as stream)':
  self.nodes->exists(n | not n.firing.oclIsUndefined() and n.outputPorts->isEmpty())
`;
