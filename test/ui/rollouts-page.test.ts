/**
 * The web UI's rollout pages in a real browser: a rollout started as `mlcycle rollout start` starts it,
 * its steps and state, then the page's actions: advance (the history records the hand move) and roll back
 * (the state is rolled-back, the buttons go, and the rollout's experiment is stopped).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkRolloutPlan } from '../../src/rollout/rollout-plan.js';
import { startRollout } from '../../src/rollout/rollout.js';
import { storeBlob } from '../../src/tracking/run-artifacts.js';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';

const browser = useBrowser();

const SPEC = `name: delay-alerts
customerProblem: passengers miss connections
businessProblem: alert passengers early
task: binary
target: { column: delayed, positive: 1 }
randomizationUnit: passenger
successMetrics:
  - { id: rebooked, description: passengers rebooked before the gate, kind: proportion, source: { event: rebooked }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }
`;

describe('the rollout pages', () => {
  it('shows a rollout, advances it and rolls it back', async () => {
    const { root, workspace, context, listen } = await apiServer('');
    writeFileSync(path.join(root, 'mlcycle.yaml'), SPEC);
    const experiment = await workspace.runs.ensureExperiment('flights', context);
    await workspace.registry.createModel('delay', '', context);
    for (const name of ['logistic', 'trees']) {
      const run = await workspace.runs.createRun({ experimentId: experiment.id, name, startTime: Date.parse('2026-03-01T00:00:00Z') }, context);
      const stored = await storeBlob(workspace.artifacts, Readable.from([Buffer.from(`{"model": "${name}"}`)]));
      await workspace.runs.recordArtifacts(run.id, [{ path: 'model', ...stored }], context);
      await workspace.registry.createVersion({ model: 'delay', runId: run.id, source: 'model' }, context);
    }
    await workspace.registry.setAlias('delay', 'champion', 1, context);
    await workspace.registry.setAlias('delay', 'challenger', 2, context);
    const plan = checkRolloutPlan(
      {
        endpoint: 'flight-delay',
        candidate: 'delay@challenger',
        baseline: 'delay@champion',
        steps: [
          { name: 'shadow', share: 0, shadow: true, minMinutes: 60 },
          { name: 'tenth', share: 0.1, minUnits: 1000 },
          { name: 'everyone', share: 1 },
        ],
      },
      'plan',
    );
    await startRollout(workspace, { segments: [] }, 'trees-to-all', plan, context);
    const url = await listen();
    const { page, errors } = await browser.page();

    await page.goto(`${url}/rollouts`);
    const row = page.locator('tr[data-rollout="trees-to-all"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('1 of 3: shadow');
    await row.getByRole('link').click();
    await page.waitForURL(`${url}/rollouts/trees-to-all`);
    await page.locator('ol.steps li.current').waitFor();
    expect(await page.locator('ol.steps li.current').textContent()).toBe('shadow: shadow on all traffic · at least 60 min');
    expect(await page.locator('[data-state]').textContent()).toBe('running');

    await page.getByRole('button', { name: 'Advance to tenth' }).click();
    await page.locator('ol.steps li.current[data-step="1"]').waitFor();
    expect(await page.locator('ol.steps li.current').textContent()).toContain('tenth: 10% of all traffic');
    expect(await page.locator('table.history tbody tr').first().textContent()).toContain('1 → 2');
    expect((await workspace.rollouts.find('trees-to-all'))?.step).toBe(1);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-state="rolled-back"], .error').first().waitFor();
    expect(await page.locator('.error').allTextContents()).toEqual([]);
    expect(await page.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
    expect(await page.locator('table.history tbody tr').first().locator('code').textContent()).toBe('rolled-back');
    expect((await workspace.rollouts.find('trees-to-all'))?.state).toBe('rolled-back');
    // The rollout's routing experiment (its only experiment) is stopped: traffic is back on the baseline.
    expect((await workspace.experiments.list()).map((record) => record.state)).toEqual(['stopped']);

    // A move the rollout's state forbids is the server's conflict, answered in the API's shape.
    const refused = await page.request.post(`${url}/api/v1/rollouts/trees-to-all/advance`);
    expect(refused.status()).toBe(409);
    expect((await refused.json()).error.message).toMatch(/rolled-back: nothing to advance/);
    expect((await page.request.post(`${url}/api/v1/rollouts/trees-to-all/jump`)).status()).toBe(404);
    expect(errors).toEqual([]);
  });
});
