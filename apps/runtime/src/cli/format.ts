import type { Diagnostic } from '@reelflow/fbp-model';

/**
 * Text for one line of a terminal: line breaks (JSON.parse quotes the text around an error,
 * newlines included) become spaces, and other control characters, NULs among them, are escaped.
 */
export function oneLine(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .trim();
}

/** One diagnostic as one readable line: `error  param-invalid  node enc params.crf: ...`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.element.kind}${d.element.id ? ` ${d.element.id}` : ''}${d.property ? ` ${d.property}` : ''}`;
  // Schema messages begin with their JSON path, which `where` already names.
  const message =
    d.property && d.message.startsWith(`${d.property}: `)
      ? d.message.slice(d.property.length + 2)
      : d.message;
  return `${d.severity.padEnd(7)} ${d.code.padEnd(26)} ${where}: ${oneLine(message)}`;
}
