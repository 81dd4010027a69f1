import type { NodeTypeDef } from '@reelflow/fbp-model';
import { z } from 'zod';

interface Common {
  readonly name: string;
  readonly required: boolean;
  readonly default?: unknown;
  readonly description?: string;
}

/** One field of a properties form, read from a node type's parameter schema. */
export type FieldSpec =
  | (Common & {
      readonly kind: 'number';
      readonly integer: boolean;
      readonly min?: number;
      readonly max?: number;
    })
  | (Common & { readonly kind: 'enum'; readonly options: readonly (string | number)[] })
  | (Common & { readonly kind: 'boolean' })
  | (Common & { readonly kind: 'string' })
  | (Common & { readonly kind: 'json' });

type JsonSchema = {
  type?: string | string[];
  enum?: (string | number)[];
  const?: string | number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** `x | null` and similar unions: the first branch that is not null describes the field. */
function unwrap(s: JsonSchema): JsonSchema {
  const branches = s.anyOf ?? s.oneOf;
  if (!branches) return s;
  const enums = branches.flatMap((b) => b.enum ?? (b.const !== undefined ? [b.const] : []));
  if (enums.length > 0 && branches.every((b) => b.enum || b.const !== undefined))
    return { ...s, enum: enums };
  const main = branches.find((b) => b.type !== 'null') ?? {};
  return {
    ...main,
    default: s.default ?? main.default,
    description: s.description ?? main.description,
  };
}

function fieldOf(name: string, raw: JsonSchema, required: boolean): FieldSpec {
  const s = unwrap(raw);
  const common = {
    name,
    required,
    ...(s.default !== undefined ? { default: s.default } : {}),
    ...(s.description ? { description: s.description } : {}),
  };
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (s.enum) return { ...common, kind: 'enum', options: s.enum };
  if (type === 'number' || type === 'integer') {
    const min = s.minimum ?? s.exclusiveMinimum;
    const max = s.maximum ?? s.exclusiveMaximum;
    return {
      ...common,
      kind: 'number',
      integer: type === 'integer',
      ...(min !== undefined && Number.isFinite(min) ? { min } : {}),
      ...(max !== undefined && Number.isFinite(max) ? { max } : {}),
    };
  }
  if (type === 'boolean') return { ...common, kind: 'boolean' };
  if (type === 'string') return { ...common, kind: 'string' };
  return { ...common, kind: 'json' };
}

const fieldCache = new WeakMap<NodeTypeDef, readonly FieldSpec[]>();

/**
 * The form fields of a node type, from its zod schema through `z.toJSONSchema` (input side,
 * so fields with defaults are optional and show their default).
 */
export function paramFields(def: NodeTypeDef): readonly FieldSpec[] {
  const cached = fieldCache.get(def);
  if (cached) return cached;
  let schema: JsonSchema;
  try {
    schema = z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    schema = {};
  }
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, s]) =>
    fieldOf(name, s, required.has(name)),
  );
  fieldCache.set(def, fields);
  return fields;
}

/** Parameters of a new node: the schema's defaults, written out so they show in the document. */
export function defaultParams(def: NodeTypeDef): Record<string, unknown> {
  const parsed = def.params.safeParse({});
  return parsed.success ? { ...(parsed.data as Record<string, unknown>) } : {};
}

/** Problems of a parameter set, keyed by top-level parameter name ('' for the whole object). */
export function paramErrors(
  def: NodeTypeDef,
  params: Record<string, unknown>,
): Map<string, string> {
  const parsed = def.params.safeParse(params);
  const out = new Map<string, string>();
  if (parsed.success) return out;
  for (const issue of parsed.error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : '';
    if (!out.has(key)) out.set(key, issue.message);
  }
  return out;
}

/** Zod's own wording ("Too big: expected number to be <=63"), as opposed to a node's message. */
const GENERIC =
  /^(Too (big|small)|Invalid (input|option|type)|Expected |Unrecognized key|Required)/i;

/** The range a number field takes, in words: "a whole number 0–63". */
export function rangeWords(field: FieldSpec): string {
  if (field.kind !== 'number') return '';
  const what = field.integer ? 'a whole number' : 'a number';
  if (field.min !== undefined && field.max !== undefined)
    return `${what} ${field.min}–${field.max}`;
  if (field.min !== undefined) return `${what} ≥ ${field.min}`;
  if (field.max !== undefined) return `${what} ≤ ${field.max}`;
  return what;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * One plain message for a field from every message about it (the schema's and the rules'):
 * the node's own message when there is one ("Crf for h264 must be 0–51"), else zod's generic
 * one said in the field's words ("crf must be a whole number 0–63").
 */
export function plainFieldMessage(
  field: FieldSpec,
  messages: readonly string[],
): string | undefined {
  if (messages.length === 0) return undefined;
  const custom = messages.find((m) => !GENERIC.test(m));
  if (custom !== undefined) return capitalize(custom);
  switch (field.kind) {
    case 'number':
      return `${field.name} must be ${rangeWords(field)}`;
    case 'enum':
      return `${field.name} must be one of ${field.options.map(String).join(', ')}`;
    case 'boolean':
      return `${field.name} must be on or off`;
    default:
      return `${field.name}: ${messages[0]}`;
  }
}

/**
 * What a number field takes as typed: digits with an optional sign and (unless whole) one
 * decimal point. Letters and exponent notation ("1e3") are refused rather than guessed at.
 * Answers the number, or a hint saying why the text is refused.
 */
export function readNumberText(
  field: FieldSpec & { kind: 'number' },
  text: string,
): { value: number } | { hint: string } {
  const t = text.trim();
  const ok = field.integer ? /^[-+]?\d+$/.test(t) : /^[-+]?(\d+\.?\d*|\.\d+)$/.test(t);
  if (ok) return { value: Number(t) };
  const why = /e/i.test(t) && /\d/.test(t) ? 'no exponents like 1e3' : 'digits only';
  return {
    hint: `${field.name} takes ${rangeWords(field)}: “${t}” is refused (${why})`,
  };
}
