/**
 * Every TypeScript block of the README and of docs/*.md is an example that must keep working: each is
 * written into a workspace outside the repository that imports the built package as `mlcycle` (as a user's
 * project would), type-checked by tsc in strict mode, then run by Node. A server over a workspace holding
 * `models:/delay-alert@champion` listens for the examples that call one; they find it in MLCYCLE_SERVER,
 * as the CLI does.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/server/app.js';
import { createWorkspace, type Workspace } from '../src/store/workspace.js';
import { registerModel, setModelAlias } from '../src/tracking/registry/register-model.js';
import { startRun } from '../src/tracking/start-run.js';
import { codeBlocks, type CodeBlock } from './support/markdown-blocks.js';
import { tempDir, testContext } from './support/temp-dir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCUMENTS = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => path.join('docs', name))];
const EXAMPLES = DOCUMENTS.flatMap((document) => codeBlocks(path.join(ROOT, document)).filter((block) => block.language === 'ts').map((block) => ({ document, block })));
const run = promisify(execFile);

/** The example's file name: its document and line, e.g. `README.md-L545.ts`. */
function fileName(document: string, block: CodeBlock): string {
  return `${document.replaceAll('/', '_')}-L${block.line}.ts`;
}

/** A user's project: package.json, a strict tsconfig, and `mlcycle` (the built package) in node_modules. */
function exampleProject(project: string): void {
  mkdirSync(path.join(project, 'node_modules'));
  symlinkSync(ROOT, path.join(project, 'node_modules', 'mlcycle'), 'dir');
  symlinkSync(path.join(ROOT, 'node_modules', '@types'), path.join(project, 'node_modules', '@types'), 'dir');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'examples', private: true, type: 'module' }));
  const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: true, outDir: 'out', rootDir: '.' };
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
  for (const { document, block } of EXAMPLES) {
    // `export {}` makes a block without imports a module, where top-level await is allowed.
    writeFileSync(path.join(project, fileName(document, block)), `${block.text}export {};\n`);
  }
}

// Shared by the tests of this file, so made and removed here rather than per test as tempDir's folders are.
const folder = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-examples-'));
const project = path.join(folder, 'project');
let compilerOutput = '';
let serverUrl = '';
const serverErrors: unknown[] = [];
let server: { app: FastifyInstance; workspace: Workspace } | undefined;

beforeAll(async () => {
  mkdirSync(project);
  exampleProject(project);
  try {
    // Emits JavaScript even when a block has type errors, which the type-check test then reports.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    compilerOutput = (error as { stdout?: string }).stdout ?? String(error);
  }
  const root = path.join(folder, 'server');
  const context = testContext('server');
  const { workspace } = await createWorkspace(root, 'examples', context);
  const app = buildServer({ workspace, context: (user) => (user === undefined ? context : { ...context, actor: user }), logError: (error) => serverErrors.push(error) });
  server = { app, workspace };
  const modelFile = path.join(root, 'model.json');
  writeFileSync(modelFile, '{}');
  const tracked = await startRun({ workspace, context, experiment: 'delays', name: 'gbdt', gitCommit: false, command: false });
  await tracked.logArtifact(modelFile, 'model');
  await tracked.end();
  const version = await registerModel(workspace, { name: 'delay-alert', run: tracked.id }, context);
  await setModelAlias(workspace, 'delay-alert', 'champion', version.version, context);
  serverUrl = await app.listen({ port: 0, host: '127.0.0.1' });
}, 300_000);

afterAll(async () => {
  await server?.app.close();
  await server?.workspace.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('the TypeScript examples of the README and docs/', () => {
  it('are found: the README has its library example, docs/api.md its client', () => {
    expect(EXAMPLES.filter(({ document }) => document === 'README.md').length).toBeGreaterThanOrEqual(1);
    expect(EXAMPLES.some(({ document, block }) => document === path.join('docs', 'api.md') && block.text.includes('createClient'))).toBe(true);
  });

  it('type-check against the built package', () => {
    // tsc names the example file and the line in it; the file name holds the document and the fence's line.
    expect(compilerOutput).toBe('');
  });

  it.each(EXAMPLES.map(({ document, block }) => [`${document}:${block.line} (${block.section})`, fileName(document, block)]))('%s runs', { timeout: 120_000 }, async (_, file) => {
    const cwd = tempDir('mlcycle-example-run-');
    const compiled = path.join(project, 'out', file.replace(/\.ts$/, '.js'));
    const result = await run(process.execPath, [compiled], { cwd, env: { ...process.env, TZ: 'UTC', MLCYCLE_SERVER: serverUrl, MLCYCLE_USER: 'ana' }, encoding: 'utf8' }).catch((error: { code?: number; stderr?: string }) => ({ stdout: '', stderr: `exit ${error.code}: ${error.stderr}` }));
    expect(result.stderr).toBe('');
    expect(serverErrors).toEqual([]);
  });
});
