/**
 * The web UI's monitor pages in a real browser, on a workspace whose monitor ran (`mlcycle monitor run`) over a
 * steady window and a shifted one, served by `mlcycle server`: the monitor with its last window's alerts, the
 * incidents with their owners, acknowledging one from the page, and the monitor's drift chart and windows.
 */
import { describe, expect, it } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { serveFlights, workspaceWithReference } from '../support/monitor-workspace.js';
import { runMlcycle, startServerProcess } from '../support/run-cli.js';

const browser = useBrowser();

describe('the monitor pages', { timeout: 240_000 }, () => {
  it('lists the monitor and its incidents, acknowledges one, and shows the drift over the windows', async () => {
    const dir = workspaceWithReference();
    expect(runMlcycle(['monitor', 'add', 'served', '--model', 'flight-delay', '--reference', 'spring', '--window', 'rows:200', '--checks', 'drift,health'], { cwd: dir }).code).toBe(0);
    await serveFlights(dir, Date.UTC(2026, 5, 1), 200, false);
    await serveFlights(dir, Date.UTC(2026, 5, 2), 200, true, 200);
    expect(runMlcycle(['monitor', 'run'], { cwd: dir }).code).toBe(0);
    const server = await startServerProcess(dir, {}, ['--monitor-interval', '0', '--rollout-interval', '0']);
    try {
      const { page, errors } = await browser.page();
      await page.goto(`${server.url}/monitors`);
      const row = page.locator('tr[data-monitor="served"]');
      await row.waitFor();
      expect(await row.textContent()).toContain('flight-delay');
      expect(await row.textContent()).toContain('every 200 predictions');
      expect(await row.locator('.badge').allTextContents()).toEqual(['drift', 'health']);

      const incidents = page.locator('table.incidents tbody tr');
      expect(await incidents.count()).toBe(2);
      expect(await page.locator('table.incidents').textContent()).toContain('Ravi Patel');
      const first = incidents.first();
      const id = await first.getAttribute('data-incident');
      await first.getByRole('button', { name: 'Acknowledge' }).click();
      await page.locator(`tr[data-incident="${id}"] [data-state="acknowledged"]`).waitFor();
      const listed = JSON.parse(runMlcycle(['incidents', 'list', '--json'], { cwd: dir }).stdout) as { id: number; state: string }[];
      expect(listed.find((incident) => String(incident.id) === id)?.state).toBe('acknowledged');

      await row.getByRole('link', { name: 'served' }).click();
      await page.waitForURL(`${server.url}/monitors/served`);
      await page.locator('figure[data-chart="drift"][data-drawn="yes"]').waitFor();
      expect(await page.locator('figure[data-chart="drift"] svg').count()).toBe(1);
      expect(await page.locator('tr[data-window="1"]').textContent()).toMatch(/distance \d\.\d{3} > \d\.\d{3}/);
      expect(await page.locator('tr[data-window="0"]').textContent()).toContain('200');
      expect(errors).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
