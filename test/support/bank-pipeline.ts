/**
 * The small bank pipeline the `mlcycle train` CLI tests share: a GBDT on four features of every 8th bank
 * row, in a workspace made through the CLI as a user makes it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { BANK_CSV, BANK_SPEC } from './data-workspace.js';
import { runMlcycle } from './run-cli.js';

export const BANK_PIPELINE = `name: bank-gbdt
data:
  dataset: bank
  split: { by: stratified, validation: 0.3, seed: 3 }
features:
  - { name: age, type: numeric }
  - { name: job, type: categorical }
  - { name: campaign, type: numeric }
  - { name: euribor3m, type: numeric }
train:
  learner: gbdt
  params: { rounds: 10, numLeaves: 7, minDataInLeaf: 10 }
`;

/** Makes `dir` a workspace with every 8th bank row as dataset `bank` and BANK_PIPELINE in pipeline.yaml. */
export function writeBankPipelineWorkspace(dir: string): void {
  const run = (...args: string[]) => runMlcycle(args, { cwd: dir });
  expect(run('init', '.', '--name', 'bank').code).toBe(0);
  writeFileSync(path.join(dir, 'mlcycle.yaml'), BANK_SPEC);
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  writeFileSync(path.join(dir, 'bank.csv'), [lines[0], ...lines.slice(1).filter((_, index) => index % 8 === 0)].join('\n'));
  expect(run('data', 'add', 'bank.csv', '--name', 'bank', '--delimiter', ';').code).toBe(0);
  writeFileSync(path.join(dir, 'pipeline.yaml'), BANK_PIPELINE);
}
