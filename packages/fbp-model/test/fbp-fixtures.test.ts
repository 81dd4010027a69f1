/**
 * Real FBP graphs published by the NoFlo projects (see fixtures/README.md): each imports,
 * saves, loads and exports back to its source, and the export meets the official schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromFbpJson, parseGraph, serializeGraph, toFbpJson } from '../src/index.js';
import { fbpSchemaErrors } from './fbp-schema.js';

const root = fileURLToPath(new URL('./fixtures/', import.meta.url));

function filesEndingIn(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesEndingIn(path, suffix);
    return entry.name.endsWith(suffix) && !entry.name.endsWith('.schema.json') ? [path] : [];
  });
}

const graphs = filesEndingIn(root, '.json').map((path) => relative(root, path));

/** Import, save as a .reelflow.json, load it back, export, and write as JSON text. */
export function throughReelflow(source: unknown): unknown {
  const imported = fromFbpJson(source);
  expect(imported.diagnostics).toEqual([]);
  const saved = parseGraph(serializeGraph(imported.graph!));
  expect(saved.diagnostics).toEqual([]);
  return JSON.parse(JSON.stringify(toFbpJson(saved.graph!)));
}

describe('published FBP JSON graphs', () => {
  it('are all there', () => {
    expect(graphs.length).toBeGreaterThanOrEqual(9);
  });

  it.each(graphs)('%s comes back from import and export as it was', (file) => {
    const source = JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown;
    const exported = throughReelflow(source);
    expect(exported).toEqual(source);
    // The export meets the schema wherever its source did: no error that the source had not.
    expect(fbpSchemaErrors(exported)).toEqual(fbpSchemaErrors(source));
  });

  it('include graphs that meet the schema, and the others fail only for route: null', () => {
    const failing = graphs.filter((file) => {
      const errors = fbpSchemaErrors(JSON.parse(readFileSync(join(root, file), 'utf8')));
      for (const e of errors)
        expect(e).toMatch(/^\/connections\/\d+\/metadata\/route must be integer$/);
      return errors.length > 0;
    });
    expect(graphs.length - failing.length).toBeGreaterThanOrEqual(4);
  });
});
