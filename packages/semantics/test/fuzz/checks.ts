/**
 * What every answer of the loader, validation and the OCL engine must look like, whatever
 * the input: diagnostics that match the contract's schema and survive a JSON round trip,
 * and a global object nobody has polluted.
 */
import { expect } from 'vitest';
import { DiagnosticSchema, hasErrors, type Diagnostic } from '@reelflow/fbp-model';
import { preview } from './json-text.js';

const DiagnosticsSchema = DiagnosticSchema.array();

/** Code of the diagnostic a rule that threw becomes: a crash in disguise, so a fuzz failure. */
export const RULE_EXCEPTION_CODE = 'rule-exception';

/**
 * Assert that `value` is an array of well-formed diagnostics (CONTRACTS section 2): schema
 * valid, a message a person can read, and JSON-safe (the CLI and the HTTP API send them).
 */
export function expectDiagnostics(value: unknown): asserts value is Diagnostic[] {
  const parsed = DiagnosticsSchema.safeParse(value);
  if (!parsed.success) {
    expect.fail(`malformed diagnostics: ${parsed.error.message}\n${preview(value)}`);
  }
  for (const d of parsed.data) {
    expect(d.message.trim(), `empty message in ${preview(d)}`).not.toBe('');
  }
  expect(JSON.parse(JSON.stringify(value))).toEqual(parsed.data);
}

/** `{ valid, diagnostics }` as `validateDocument` and `POST /api/validate` answer it. */
export function expectValidationResult(value: unknown): void {
  expect(value).toBeTypeOf('object');
  const { valid, diagnostics } = value as { valid: unknown; diagnostics: unknown };
  expect(typeof valid).toBe('boolean');
  expectDiagnostics(diagnostics);
  expect(valid).toBe(!hasErrors(diagnostics));
}

/** No rule threw: every rule turned bad input into its own diagnostics. */
export function expectNoRuleException(diagnostics: readonly Diagnostic[]): void {
  const thrown = diagnostics.filter((d) => d.code === RULE_EXCEPTION_CODE);
  expect(thrown, 'a validation rule threw').toEqual([]);
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/** Prototype-pollution keys in the input must not reach `Object.prototype`. */
export function expectPrototypeIntact(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
