/**
 * The API reference (`npm run docs`, TypeDoc over src/index.ts) builds without a warning, and it lists
 * exactly what the package exports: a type that an export names but index.ts leaves out fails the build
 * (treatWarningsAsErrors in typedoc.json), and an export the reference skipped fails here. TypeDoc compiles
 * the whole package (about 30 s of CPU), hence the long timeout on a loaded machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/temp-dir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The names src/index.ts exports, values and types, as the compiler sees them. */
function indexExports(): string[] {
  const entry = path.join(ROOT, 'src', 'index.ts');
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error('tsconfig.build.json did not parse');
  const program = ts.createProgram([entry], config.options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error('src/index.ts has no module symbol');
  return checker.getExportsOfModule(module).map((symbol) => symbol.name).sort();
}

describe('the API reference', () => {
  it('builds with no warning and lists every export of src/index.ts, and nothing else', { timeout: 600_000 }, () => {
    const out = tempDir();
    const json = path.join(out, 'reference.json');
    // Throws (non-zero exit) on any warning: typedoc.json treats warnings as errors.
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'typedoc'), ['--out', path.join(out, 'html'), '--json', json], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    const reference = JSON.parse(readFileSync(json, 'utf8')) as { children?: { name: string }[] };
    const listed = (reference.children ?? []).map((child) => child.name).sort();
    const exported = indexExports();
    expect(exported.length).toBeGreaterThan(200);
    expect(listed).toEqual(exported);
  });
});
