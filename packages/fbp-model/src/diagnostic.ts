import { z } from 'zod';

/** Severity of a diagnostic (CONTRACTS section 2). */
export const SeveritySchema = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

/** The element a diagnostic is about. For a port, `id` is `nodeId.portName`. */
export const ElementRefSchema = z.object({
  kind: z.enum(['graph', 'node', 'edge', 'port']),
  id: z.string(),
});
export type ElementRef = z.infer<typeof ElementRefSchema>;

/** One finding of validation: stable `code`, readable `message`, the element at fault. */
export const DiagnosticSchema = z.object({
  code: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  element: ElementRefSchema,
  /** Dotted path such as `params.crf`, or a JSON path for `schema` diagnostics. */
  property: z.string().optional(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

/** Convenience factory so every producer spells diagnostics the same way. */
export function diagnostic(
  code: string,
  severity: Severity,
  message: string,
  element: ElementRef,
  property?: string,
): Diagnostic {
  return property === undefined
    ? { code, severity, message, element }
    : { code, severity, message, element, property };
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');
