/** The `fbp` package (flowbased/fbp): the parser of the .fbp flow language. It ships no types. */
declare module 'fbp' {
  export interface ParseOptions {
    /** Keep port and exported port names as written (default: lower-cased, as NoFlo does). */
    caseSensitive?: boolean;
    /** Check the result against the graph schema with tv4 (not installed here: keep false). */
    validateSchema?: boolean;
    /** Check that every edge, IIP and exported port names a defined process (default true). */
    validateContents?: boolean;
  }
  /** A syntax error: PEG.js puts where it is in `location`. */
  export interface FbpSyntaxError extends Error {
    location?: { start: { line: number; column: number } };
  }
  const fbp: {
    /** Parse .fbp text to an FBP JSON graph; throws on a syntax or content error. */
    parse(source: string, options?: ParseOptions): Record<string, unknown>;
    serialize(graph: unknown): string;
  };
  export default fbp;
}
