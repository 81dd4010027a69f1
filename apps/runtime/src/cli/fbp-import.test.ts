/**
 * `reelflow import` and `reelflow export --format fbp-json` on the published FBP graphs of the
 * NoFlo projects (packages/fbp-model/test/fixtures, see its README): FBP JSON files and .fbp
 * files, the latter read with the flowbased `fbp` parser.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fbp from 'fbp';
import { describe, expect, it } from 'vitest';
import { fbpSchemaErrors } from '../../../../packages/fbp-model/test/fbp-schema.js';
import { main } from './main.js';

const fixtures = fileURLToPath(
  new URL('../../../../packages/fbp-model/test/fixtures/', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'reelflow-fbp-import-'));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

function graphFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return graphFiles(path);
    return /\.(fbp|json)$/.test(entry.name) && !entry.name.endsWith('.schema.json') ? [path] : [];
  });
}
const files = graphFiles(fixtures).map((path) => relative(fixtures, path));
/** NoFlo's test of the `EXPORT=` line that the .fbp language has since dropped. */
const LEGACY = 'noflo/spec/fixtures/subgraph_legacy.fbp';

/** Import FILE to a .reelflow.json, then export that back to FBP JSON. */
async function importThenExport(file: string): Promise<unknown> {
  const graph = join(dir, `${file.replaceAll('/', '_')}.reelflow.json`);
  const imported = await cli('import', join(fixtures, file), '--out', graph);
  expect(imported.stderr).toBe('');
  expect(imported.code).toBe(0);
  const exported = await cli('export', graph, '--format', 'fbp-json');
  expect(exported.stderr).toBe('');
  expect(exported.code).toBe(0);
  return JSON.parse(exported.stdout);
}

describe('reelflow import / export on published FBP graphs', () => {
  it('has .fbp and FBP JSON fixtures', () => {
    expect(files.filter((f) => f.endsWith('.fbp')).length).toBeGreaterThanOrEqual(10);
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(9);
  });

  it.each(files.filter((f) => f.endsWith('.json')))('%s exports as it was', async (file) => {
    const source = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as unknown;
    const exported = await importThenExport(file);
    expect(exported).toEqual(source);
    expect(fbpSchemaErrors(exported)).toEqual(fbpSchemaErrors(source));
  });

  it.each(files.filter((f) => f.endsWith('.fbp') && f !== LEGACY))(
    '%s imports with the fbp parser, exports as it parses, and meets the schema',
    async (file) => {
      const parsed = fbp.parse(readFileSync(join(fixtures, file), 'utf8'), {
        caseSensitive: false,
      });
      const exported = await importThenExport(file);
      expect(exported).toEqual(JSON.parse(JSON.stringify(parsed)));
      expect(fbpSchemaErrors(exported)).toEqual([]);
    },
  );

  it('refuses a .fbp graph with the dropped EXPORT= line at its line:column (exit 2)', async () => {
    const result = await cli('import', join(fixtures, LEGACY));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /subgraph_legacy\.fbp:1:7: not a valid \.fbp graph: Expected .* but "=" found/,
    );
  });

  it('keeps the properties, IIPs and exported ports of a .fbp graph', async () => {
    const graph = join(dir, 'Delete.reelflow.json');
    await cli('import', join(fixtures, 'noflo-ui/graphs/Delete.fbp'), '--out', graph);
    const doc = JSON.parse(readFileSync(graph, 'utf8'));
    expect(doc.fbp.properties).toEqual({ environment: { type: 'noflo-browser' }, icon: 'trash' });
    expect(doc.fbp.inports.db).toEqual({ process: 'Write', port: 'db' });
    expect(doc.fbp.iips).toEqual([
      {
        at: 0,
        connection: { data: 'readwrite', tgt: { process: 'HoldMode', port: 'string' } },
      },
    ]);
    expect(doc.nodes.map((n: { type: string }) => n.type)).toContain('indexeddb/BeginTransaction');
  });
});
