/**
 * The web UI's serving page in a real browser, on a workspace whose event log holds what a service logged:
 * two versions' answered predictions (one with shadow predictions beside it), a failed request, latencies
 * and decisions; the page's numbers are the log's.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/store/event-store.js';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';

const browser = useBrowser();

describe('the serving page', () => {
  it("shows each version's predictions, failures, alert rate and latency, and the traffic per hour", async () => {
    const { workspace, listen } = await apiServer('');
    const writer = await workspace.openEventWriter();
    const records: EventRecord[] = [];
    for (let index = 0; index < 100; index++) {
      const time = new Date(Date.UTC(2026, 5, 1, 10) + index * 60_000).toISOString();
      records.push({ type: 'prediction', time, model: 'delay', version: 1, requestId: `r${index}`, score: 0.2, decision: index % 4 === 0 ? 1 : 0, latencyMs: index < 50 ? 2 : 4 });
      if (index % 2 === 0) records.push({ type: 'prediction', time, model: 'delay', version: 2, requestId: `r${index}`, name: 'shadow', score: 0.3, decision: 1, latencyMs: 3 });
    }
    records.push({ type: 'error', time: new Date(Date.UTC(2026, 5, 1, 11)).toISOString(), model: 'delay', version: 2, requestId: 'e1', name: 'model_error', latencyMs: 1 });
    await writer.append(records);
    await writer.close();
    const url = await listen();
    const { page, errors } = await browser.page();
    await page.goto(`${url}/serving`);
    const first = page.locator('tr[data-served="delay/1"]');
    await first.waitFor();
    const cells = await first.locator('td').allTextContents();
    expect(cells.slice(1, 6)).toEqual(['100', '0', '0 (0.00%)', '25.0%', '3.0 / 4.0 ms']);
    const second = await page.locator('tr[data-served="delay/2"] td').allTextContents();
    expect(second.slice(1, 4)).toEqual(['0', '50', '1 (100.00%)']);
    await page.locator('figure[data-chart="traffic"][data-drawn="yes"]').waitFor();
    expect(errors).toEqual([]);
  });
});
