/**
 * The official FBP graph JSON schema (flowbased/fbp `schema/graph.json`, built from
 * `schemata/graph.yaml`), checked by a real JSON-schema validator: ajv with its draft-04 build.
 * A test helper: never part of the package's build.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const schemaFile = new URL('./fixtures/fbp-graph.schema.json', import.meta.url);

/**
 * The schema as published, with one repair ajv needs: `inports`/`outports` say
 * `"type": ["object", "undefined"]`, and `undefined` is no JSON type (tv4, which the fbp project
 * uses, skips it; ajv refuses to compile). JSON has no undefined value, so dropping it changes
 * nothing a document can be checked for. Its `"required": []` is valid from draft 6 on, so the
 * schema is not checked against the draft-04 meta-schema (`validateSchema: false`).
 */
function officialSchema(): object {
  return JSON.parse(readFileSync(schemaFile, 'utf8'), (_key, value: unknown) =>
    Array.isArray(value) && value.includes('undefined')
      ? value.filter((t) => t !== 'undefined')
      : value,
  ) as object;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
addFormats(ajv);
const validate = ajv.compile(officialSchema());

/** Each schema error as `instancePath message`, sorted; [] when the document is valid. */
export function fbpSchemaErrors(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).sort();
}
