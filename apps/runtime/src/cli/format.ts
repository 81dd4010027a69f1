import type { Diagnostic } from '@reelflow/fbp-model';

/** One diagnostic as one readable line: `error  param-invalid  node enc params.crf: ...`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.element.kind}${d.element.id ? ` ${d.element.id}` : ''}${d.property ? ` ${d.property}` : ''}`;
  return `${d.severity.padEnd(7)} ${d.code.padEnd(26)} ${where}: ${d.message}`;
}
