/**
 * The README's "Your own project" runs as written: its `sh` blocks in order in one shell, each `yaml` block
 * written to the file its `# file: NAME` line names, `mlcycle` being the built command, in a folder laid out
 * as the repository is (test/data beside it). Then the board shows the stages the walkthrough completes
 * and the model card the value the run logged.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_PIPELINES } from '../src/demo/flight-delay-pipelines.js';
import { codeBlocks } from './support/markdown-blocks.js';
import { CLI_PATH, runMlcycle } from './support/run-cli.js';
import { TEST_DATA } from './support/test-data.js';
import { tempDir } from './support/temp-dir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const README = codeBlocks(path.join(ROOT, 'README.md'));
const WALKTHROUGH = README.filter((block) => block.section === 'Your own project');

/** The walkthrough as one shell script: commands verbatim, files written by here-documents. */
function walkthroughScript(): string {
  return WALKTHROUGH.map((block) => {
    if (block.language === 'sh') return block.text;
    if (block.language !== 'yaml') throw new Error(`README.md:${block.line}: a ${block.language || 'plain'} block in the walkthrough`);
    const file = /^# file: (\S+)\n/.exec(block.text)?.[1];
    if (file === undefined) throw new Error(`README.md:${block.line}: a yaml block of the walkthrough must start with "# file: NAME"`);
    if (block.text.includes('\nMLCYCLE_EOF\n')) throw new Error(`README.md:${block.line}: the block holds the here-document's end marker`);
    return `cat > ${file} <<'MLCYCLE_EOF'\n${block.text}MLCYCLE_EOF\n`;
  }).join('');
}

describe("the README's walkthrough", () => {
  it('has the commands the issue lists, in order', () => {
    const commands = WALKTHROUGH.filter((block) => block.language === 'sh').flatMap((block) => block.text.split('\n')).filter((line) => line.startsWith('mlcycle '));
    const verbs = commands.map((line) => line.split(' ').slice(1, 3).join(' '));
    expect(verbs).toEqual(['init term-deposits', 'spec check', 'data add', 'data validate', 'data split', 'explore bank-train', 'train --register', 'evaluate term-deposits@champion', 'models card', 'status']);
  });

  it('runs as written and completes stages 1, 2, 3, 6 and 7', { timeout: 600_000 }, () => {
    const repository = tempDir();
    mkdirSync(path.join(repository, 'test'));
    symlinkSync(TEST_DATA, path.join(repository, 'test', 'data'), 'dir');
    const bin = path.join(repository, '.bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'mlcycle'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_PATH}" "$@"\n`);
    chmodSync(path.join(bin, 'mlcycle'), 0o755);
    let output: string;
    try {
      output = execFileSync('bash', ['-euo', 'pipefail', '-c', walkthroughScript()], {
        cwd: repository,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, TZ: 'UTC', MLCYCLE_USER: 'ana' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      throw new Error(`the walkthrough failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`, { cause: error });
    }
    expect(output).toContain('registered models:/term-deposits/1 (@champion)');
    expect(output).toMatch(/is ready for online evaluation/);

    const project = path.join(repository, 'term-deposits');
    const status = runMlcycle(['--json', 'status'], { cwd: project });
    const board = JSON.parse(status.stdout) as { stages: { number: number; state: string }[] };
    expect(board.stages.filter((stage) => stage.state === 'done').map((stage) => stage.number)).toEqual([1, 2, 3, 6, 7]);
    // The card reads the validation AUC the run logged, which the README quotes as about 0.79.
    const card = JSON.parse(runMlcycle(['--json', 'models', 'card', 'models:/term-deposits@champion'], { cwd: project }).stdout) as { problem: { mlMetrics: { metric: string; achieved?: number }[] } };
    const auc = card.problem.mlMetrics.find((metric) => metric.metric === 'roc_auc')?.achieved;
    expect(auc).toBeGreaterThan(0.77);
    expect(auc).toBeLessThan(0.81);
  });
});

describe("the README's pipeline example", () => {
  it("is the demo's pipelines/gbdt.yaml, as the README says", () => {
    const pipelines = README.filter((block) => block.section.startsWith('6.') && block.language === 'yaml');
    expect(pipelines.map((block) => block.text)).toContain(DEMO_PIPELINES.gbdt);
  });
});
