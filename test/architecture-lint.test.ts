/**
 * The layer and cycle rules of ARCHITECTURE.md (.dependency-cruiser.js, run by `npm run lint`): the tree
 * passes them, and a planted tree with one breach of each rule fails on exactly those breaches.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/temp-dir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.js');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

function depcruise(cwd: string, outputType: 'err' | 'json') {
  const result = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', outputType], { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  return result;
}

/** The violations the linter's graph check reports on `src` of a folder. */
function violationsIn(cwd: string): Violation[] {
  const report = JSON.parse(depcruise(cwd, 'json').stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return report.summary.violations.map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
}

/** The exit code of the check as `npm run lint` runs it (its `err` report exits with the count of errors). */
function lintExitCode(cwd: string): number {
  return depcruise(cwd, 'err').status ?? -1;
}

/** Writes files under a new folder beside a copy of the project's tsconfig.json. */
function plant(files: Record<string, string>): string {
  const dir = tempDir('mlcycle-lint-');
  copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the architecture lint', () => {
  it('passes on the tree', () => {
    expect(violationsIn(ROOT)).toEqual([]);
  }, 300_000);

  it('fails on a planted cycle and on each kind of forbidden import, and on nothing else', () => {
    const dir = plant({
      'src/error.ts': 'export class MlcycleError extends Error {}\n',
      // A cycle of values inside one stage.
      'src/train/a.ts': "import { b } from './b.js';\nexport const a = (): number => b + 1;\n",
      'src/train/b.ts': "import { a } from './a.js';\nexport const b = 1;\nexport const twice = (): number => a() * 2;\n",
      // A cycle of types across folders; and one inside a folder, which may stay.
      'src/data/version.ts': "import type { Store } from '../store/store.js';\nexport interface Version { store: Store }\n",
      'src/store/store.ts': "import type { Version } from '../data/version.js';\nexport interface Store { latest(): Version }\n",
      'src/explore/chart.ts': "import type { Axis } from './axis.js';\nexport interface Chart { axis: Axis }\n",
      'src/explore/axis.ts': "import type { Chart } from './chart.js';\nexport interface Axis { chart?: Chart }\n",
      // A backend, picked by a stage (forbidden) and by the CLI (allowed).
      'src/store/sqlite/database.ts': "export const open = (): string => 'db';\n",
      'src/evaluate/report.ts': "import { open } from '../store/sqlite/database.js';\nexport const report = (): string => open();\n",
      'src/cli/main.ts': "import { open } from '../store/sqlite/database.js';\nimport { report } from '../evaluate/report.js';\nexport const main = (): string => open() + report();\n",
      // The pure layer importing a stage, and the store importing a stage.
      'src/models/fit.ts': "import { report } from '../evaluate/report.js';\nexport const fit = (): string => report();\n",
      'src/store/runs.ts': "import { a } from '../train/a.js';\nexport const runs = (): number => a();\n",
      // A stage importing the CLI.
      'src/tracking/log.ts': "import { main } from '../cli/main.js';\nexport const log = (): string => main();\n",
    });
    expect(lintExitCode(dir)).toBeGreaterThan(0);
    // Each cycle is reported once, at the module it is first found from.
    const found = violationsIn(dir).map(({ rule, from, to }) => `${rule}: ${from} -> ${to}`).sort();
    expect(found).toEqual(
      [
        'no-value-cycle: src/train/a.ts -> src/train/b.ts',
        'no-cycle-across-folders: src/data/version.ts -> src/store/store.ts',
        'store-knows-no-stage: src/store/store.ts -> src/data/version.ts',
        'store-knows-no-stage: src/store/runs.ts -> src/train/a.ts',
        'only-roots-pick-backends: src/evaluate/report.ts -> src/store/sqlite/database.ts',
        'pure-imports-pure: src/models/fit.ts -> src/evaluate/report.ts',
        'stages-below-services: src/tracking/log.ts -> src/cli/main.ts',
      ].sort(),
    );
  }, 300_000);
});
