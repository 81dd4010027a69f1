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
