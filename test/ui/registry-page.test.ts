/**
 * The web UI's registry pages in a real browser: the models with their aliases, a model's versions with
 * runs and aliases, and the page's action, moving an alias, checked in the registry afterwards.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storeBlob } from '../../src/tracking/run-artifacts.js';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';

const browser = useBrowser();

describe('the registry pages', () => {
  it('lists models and versions with their aliases, and moves an alias', async () => {
    const { workspace, context, listen } = await apiServer('');
    const experiment = await workspace.runs.ensureExperiment('flights', context);
    const runs = [];
    for (const name of ['gbdt-a', 'gbdt-b', 'gbdt-c']) {
      const run = await workspace.runs.createRun({ experimentId: experiment.id, name, startTime: Date.parse('2026-03-01T00:00:00Z') }, context);
      const stored = await storeBlob(workspace.artifacts, Readable.from([Buffer.from(`{"model": "${name}"}`)]));
      await workspace.runs.recordArtifacts(run.id, [{ path: 'model', ...stored }], context);
      runs.push(run);
    }
    await workspace.registry.createModel('delay-model', 'Predicts flight delays over 15 minutes', context);
    for (const run of runs) await workspace.registry.createVersion({ model: 'delay-model', runId: run.id, source: 'model', description: `from ${run.name}` }, context);
    await workspace.registry.setAlias('delay-model', 'champion', 2, context);
    await workspace.registry.setAlias('delay-model', 'challenger', 3, context);
    await workspace.registry.createModel('churn-model', '', context);
    const url = await listen();
    const { page, errors } = await browser.page();

    await page.goto(`${url}/models`);
    const row = page.locator('tr[data-model="delay-model"]');
    await row.waitFor();
    expect(await page.locator('table.models tbody tr').count()).toBe(2);
    expect(await row.locator('td').nth(1).textContent()).toBe('3');
    expect(await row.locator('.badge').allTextContents()).toEqual(['@challenger → v3', '@champion → v2']);
    expect(await row.textContent()).toContain('Predicts flight delays');

    await row.getByRole('link', { name: 'delay-model' }).click();
    await page.waitForURL(`${url}/models/delay-model`);
    await page.locator('tr[data-version="2"]').waitFor();
    expect(await page.locator('table.versions tbody tr').count()).toBe(3);
    expect(await page.locator('tr[data-version="2"] td.aliases').textContent()).toBe('@champion');
    expect(await page.locator('tr[data-version="3"] td.aliases').textContent()).toBe('@challenger');
    expect(await page.locator('tr[data-version="1"]').textContent()).toContain('from gbdt-a');

    // Move @champion to version 3: the table shows it and the registry holds it.
    await page.getByLabel('alias').fill('champion');
    await page.getByLabel('version').selectOption('3');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.locator('tr[data-version="3"] td.aliases', { hasText: '@champion' }).waitFor();
    expect(await page.locator('tr[data-version="2"] td.aliases').textContent()).toBe('');
    expect((await workspace.registry.findModel('delay-model'))?.aliases).toEqual({ champion: 3, challenger: 3 });

    // A bad alias is refused by the server, with its reason on the page and nothing changed.
    await page.getByLabel('alias').fill('not valid!');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.locator('form.action .error').waitFor();
    expect(await page.locator('form.action .error').textContent()).toMatch(/alias/);
    expect((await workspace.registry.findModel('delay-model'))?.aliases).toEqual({ champion: 3, challenger: 3 });

    // A version's page: its lineage (no dataset logged here, the run, the version) and its model card.
    await page.getByRole('link', { name: 'v2', exact: true }).click();
    await page.waitForURL(`${url}/models/delay-model/2`);
    await page.locator('pre.model-card').waitFor();
    expect(await page.locator('.lineage-graph .node.run a').textContent()).toBe('gbdt-b');
    expect(await page.locator('.lineage-graph').textContent()).toContain('no dataset inputs logged');
    expect(await page.locator('pre.model-card').textContent()).toContain('delay-model');
    // The version's run links to the run page.
    await page.locator('.lineage-graph .node.run a').click();
    await page.getByRole('heading', { name: /gbdt-b/ }).waitFor();
    expect(errors.filter((error) => !/status of 400/.test(error))).toEqual([]);
  });
});
