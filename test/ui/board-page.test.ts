/**
 * The web UI's lifecycle board in a real browser: a server on a workspace the test fills, the board's ten
 * stages with the states the board service computes, evidence and next steps, and the audit log. Also the
 * UI's host: client-side routes answered with the page, the APIs' unknown paths still their own 404s.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBoard } from '../../src/lifecycle.js';
import { parseTokens } from '../../src/server/auth.js';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';
import { tempDir } from '../support/temp-dir.js';

const SPEC = `name: churn-alerts
customerProblem: customers leave without warning
businessProblem: reduce churn by contacting at-risk customers
task: binary
target: { column: churned, positive: 1 }
randomizationUnit: user
successMetrics:
  - { id: retention, description: users still active after 30 days, kind: proportion, source: { event: active }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }
`;

const browser = useBrowser();

describe('the lifecycle board page', () => {
  it('shows the ten stages with their states, evidence and next step, and the audit log', async () => {
    const { root, workspace, context, listen } = await apiServer('');
    writeFileSync(path.join(root, 'mlcycle.yaml'), SPEC);
    await workspace.runs.ensureExperiment('churn', context);
    const expected = await readBoard(workspace, context);
    expect(expected.stages).toHaveLength(10);
    const url = await listen();
    const { page, errors } = await browser.page();

    await page.goto(`${url}/`);
    await page.locator('li.stage').first().waitFor();
    expect(await page.locator('h1').textContent()).toBe('churn-alerts');
    const stages = page.locator('li.stage');
    expect(await stages.count()).toBe(10);
    for (const [index, stage] of expected.stages.entries()) {
      const card = stages.nth(index);
      expect(await card.getAttribute('data-stage')).toBe(stage.id);
      expect(await card.getAttribute('data-state')).toBe(stage.state);
      expect(await card.locator('h2').textContent()).toBe(stage.title);
      for (const line of stage.evidence) expect(await card.locator('ul.evidence').textContent()).toContain(line);
      if (stage.state !== 'done') expect(await card.locator('p.step').textContent()).toBe(`Next step: ${stage.nextStep}`);
    }
    // The spec is there, so the problem stage has evidence; the next step is the first stage not done.
    expect(expected.stages[0]?.evidence.length).toBeGreaterThan(0);
    expect(await page.locator('p.next').textContent()).toBe(`Next: ${expected.next?.step}`);
    const audit = page.locator('table.audit tbody tr');
    const actions = await audit.locator('td:nth-child(3)').allTextContents();
    expect(actions).toContain('workspace.created');
    expect(actions).toContain('experiment.created');
    expect(actions).toContain('spec.changed');
    expect(errors).toEqual([]);

    // A client-side route opened directly (a shared link) gets the page; the navigation bar routes in place.
    await page.goto(`${url}/models`);
    await page.getByText('No registered models').waitFor();
    await page.locator('header nav a', { hasText: 'Lifecycle' }).click();
    await page.locator('li.stage').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.goBack();
    await page.getByText('No registered models').waitFor();
    await page.goto(`${url}/no/such/view`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('shows the problem spec, its issues by line, and the datasets with lineage and validation', async () => {
    const { root, workspace, context, listen } = await apiServer('');
    const spec = `${SPEC}segments:\n  - { name: region, column: origin_region, description: where the flight leaves from }\nstakeholders:\n  - { name: Ana, roles: [product-manager] }\nowners:\n  model: { owner: Ana, onCall: ana@example.com }\n`;
    writeFileSync(path.join(root, 'mlcycle.yaml'), spec);
    const hash = '56'.repeat(32);
    const [version] = await workspace.datasets.registerVersions([{ dataset: 'flights', hash, artifactKey: `datasets/56/${hash}.parquet`, rowCount: 3000, byteSize: 10, columns: [{ name: 'delay', storageType: 'DOUBLE', semanticType: 'numeric', inferredType: 'numeric', overridden: false, nonNull: 2990, distinct: 400, min: -20, max: 300 }], lineage: { source: { path: 'flights.csv', size: 10, modifiedAt: '2026-01-01T00:00:00Z', format: 'csv', options: {} } } }], context);
    await workspace.datasets.recordValidation({ ref: version?.ref ?? '', passed: false, targetPresent: true, outcomes: [{ description: 'delay is never null', kind: 'not_null', severity: 'error', passed: false, observed: 10, examples: [] }, { description: 'at least 1000 rows', kind: 'row_count', severity: 'error', passed: true, observed: 3000, examples: [] }] }, context);
    const url = await listen();
    const { page, errors } = await browser.page();

    await page.goto(`${url}/problem`);
    await page.locator('table.success-metrics').waitFor();
    expect(await page.locator('h1').textContent()).toBe('churn-alerts');
    expect(await page.locator('tr[data-metric="retention"]').textContent()).toContain('primary');
    expect(await page.locator('ul.stakeholders').textContent()).toBe('Ana (product-manager)');
    expect(await page.locator('table.owners tr[data-key="model"]').textContent()).toContain('ana@example.com');
    expect(await page.locator('pre.spec-text').textContent()).toBe(spec);

    await page.locator('header nav a', { hasText: 'Data' }).click();
    await page.locator('tr[data-dataset="flights"]').waitFor();
    expect(await page.locator('tr[data-dataset="flights"]').textContent()).toContain('3,000');
    await page.getByRole('link', { name: 'flights' }).click();
    await page.locator('.dataset-version[data-version="flights@1"]').waitFor();
    expect(await page.locator('.dataset-version .badge').textContent()).toBe('invalid');
    expect(await page.locator('.dataset-version ul.health li.bad').textContent()).toBe('delay is never null (observed 10, error)');
    expect(await page.locator('.dataset-version .lineage').textContent()).toContain('flights.csv');

    // A spec that does not check: its issues with their lines, and the text as written.
    writeFileSync(path.join(root, 'mlcycle.yaml'), `${SPEC}task: clustering\n`);
    await page.goto(`${url}/problem`);
    await page.locator('.error li').first().waitFor();
    expect(await page.locator('.error').textContent()).toMatch(/line \d+/);
    expect(errors).toEqual([]);
  });

  it('serves the page for UI paths, its assets, and leaves unknown API paths to the APIs', async () => {
    const { app } = await apiServer('');
    const index = await app.inject({ method: 'GET', url: '/runs/abc?x=1' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.body).toContain('<div id="root">');
    const script = /src="\/assets\/([^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    const asset = await app.inject({ method: 'GET', url: `/assets/${script}` });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect((await app.inject({ method: 'GET', url: '/assets/nothing.js' })).statusCode).toBe(404);
    const v1 = await app.inject({ method: 'GET', url: '/api/v1/nothing' });
    expect(v1.statusCode).toBe(404);
    expect(v1.json()).toMatchObject({ error: { code: 'endpoint_not_found' } });
    const mlflow = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/nothing' });
    expect(mlflow.statusCode).toBe(404);
    expect(mlflow.json()).toMatchObject({ error_code: 'ENDPOINT_NOT_FOUND' });
    const unbuilt = await apiServer('', { ui: tempDir() });
    const notBuilt = await unbuilt.app.inject({ method: 'GET', url: '/runs' });
    expect(notBuilt.statusCode).toBe(200);
    expect(notBuilt.body).toContain('The web UI is not built in this installation: run <code>npm run build</code>');
    const audit = await app.inject({ method: 'GET', url: '/api/v1/audit?limit=0' });
    expect(audit.statusCode).toBe(400);
    expect(audit.json()).toMatchObject({ error: { code: 'invalid_input', field: 'limit' } });
  });

  it('asks for a token when the server wants one, and shows a read token no write buttons', async () => {
    const { workspace, context, listen } = await apiServer('', { tokens: parseTokens('team:read:read-token-0123456789\nlead:write:write-token-0123456789', 'tokens') });
    await workspace.registry.createModel('delay-model', '', context);
    const url = await listen();
    const { page } = await browser.page();
    await page.goto(`${url}/`);
    await page.getByText('This server requires a token').waitFor();
    await page.getByLabel('token').fill('read-token-0123456789');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('li.stage').first().waitFor();
    expect(await page.locator('li.stage').count()).toBe(10);
    await page.goto(`${url}/models/delay-model`);
    await page.getByText('This token may only read').waitFor();
    expect(await page.getByRole('button', { name: 'Set alias' }).count()).toBe(0);

    const writer = await browser.page();
    await writer.page.goto(`${url}/models/delay-model`);
    await writer.page.getByLabel('token').fill('write-token-0123456789');
    await writer.page.getByRole('button', { name: 'Use token' }).click();
    await writer.page.getByRole('button', { name: 'Set alias' }).waitFor();
    expect(await writer.page.getByText('This token may only read').count()).toBe(0);
    const session = await writer.page.request.get(`${url}/api/v1/session`, { headers: { authorization: 'Bearer write-token-0123456789' } });
    expect(await session.json()).toEqual({ session: { user: 'lead', access: 'write' } });
  });
});
