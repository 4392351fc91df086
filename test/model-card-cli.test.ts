/**
 * A model card shows, for each ML metric target of the spec, the value the run logged: a run of
 * `mlcycle train` logs its validation metrics as `validation_NAME`, which the card reads and names.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBankPipelineWorkspace } from './support/bank-pipeline.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

describe('mlcycle models card on a trained run', () => {
  it('reads the validation metric the pipeline logged for each spec target', { timeout: 120_000 }, () => {
    const dir = tempDir();
    const run = (...args: string[]) => runMlcycle(args, { cwd: dir });
    writeBankPipelineWorkspace(dir);
    // Targets the pipeline computes (roc_auc, log_loss) and one it does not (brier).
    appendFileSync(path.join(dir, 'mlcycle.yaml'), 'mlMetrics:\n  - { metric: roc_auc, target: 0.6 }\n  - { metric: log_loss, target: 0.4 }\n  - { metric: brier, target: 0.1 }\n');
    const trained = run('--json', 'train', '--register', 'bank@champion');
    expect(trained.code, trained.stderr).toBe(0);
    const { runId } = JSON.parse(trained.stdout) as { runId: string };
    const shown = run('--json', 'runs', 'show', runId);
    expect(shown.code, shown.stderr).toBe(0);
    const { metrics } = JSON.parse(shown.stdout) as { metrics: Record<string, { value: number }> };
    const auc = metrics.validation_roc_auc!.value;
    const logLoss = metrics.validation_log_loss!.value;
    expect(auc).toBeGreaterThan(0.5);
    expect(logLoss).toBeGreaterThan(0);

    const card = run('--json', 'models', 'card', 'models:/bank@champion');
    expect(card.code, card.stderr).toBe(0);
    const { problem } = JSON.parse(card.stdout) as { problem: { mlMetrics: unknown[] } };
    expect(problem.mlMetrics).toEqual([
      { metric: 'roc_auc', target: 0.6, achieved: auc, loggedAs: 'validation_roc_auc' },
      { metric: 'log_loss', target: 0.4, achieved: logLoss, loggedAs: 'validation_log_loss' },
      { metric: 'brier', target: 0.1 },
    ]);
    const markdown = run('models', 'card', 'models:/bank@champion');
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain(`| roc_auc | 0.6 | ${auc} (validation_roc_auc) |`);
    expect(markdown.stdout).toContain('| brier | 0.1 | not logged |');
  });
});
