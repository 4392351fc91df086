/** A workspace for monitor tests: the demo's spec, a 3,000-row reference, and served predictions with labels. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { FLIGHT_DELAY_SPEC } from '../../src/demo/flight-delay-spec.js';
import type { EventRecord } from '../../src/store/event-store.js';
import { openWorkspace } from '../../src/store/workspace.js';
import { seededRandom } from '../../src/stats/random.js';
import { runMlcycle } from './run-cli.js';
import { tempDir, testContext } from './temp-dir.js';

const random = seededRandom(11);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const CARRIERS = ['AA', 'UA', 'DL', 'WN'];

/** A workspace with the demo's spec and a 3,000-row reference: distance, carrier, hour and the label. */
export function workspaceWithReference(): string {
  const dir = tempDir();
  expect(runMlcycle(['init', '--name', 'flights'], { cwd: dir }).code).toBe(0);
  writeFileSync(path.join(dir, 'mlcycle.yaml'), FLIGHT_DELAY_SPEC);
  const lines = ['distance,carrier,hour,delayed'];
  for (let row = 0; row < 3000; row += 1) lines.push(`${(800 + 300 * normal()).toFixed(1)},${CARRIERS[Math.floor(random() * 4)]},${Math.floor(random() * 24)},${random() < 0.2}`);
  writeFileSync(path.join(dir, 'spring.csv'), `${lines.join('\n')}\n`);
  expect(runMlcycle(['data', 'add', 'spring.csv', '--name', 'spring'], { cwd: dir }).code).toBe(0);
  return dir;
}

/** `count` served predictions a minute apart from `start`, steady or shifted (longer flights, two carriers, failures), each with its label. */
export async function serveFlights(dir: string, start: number, count: number, shifted: boolean, first = 0): Promise<void> {
  const workspace = await openWorkspace(dir, testContext());
  const writer = await workspace.openEventWriter();
  const records: EventRecord[] = [];
  for (let index = first; index < first + count; index += 1) {
    const time = new Date(start + (index - first) * 60_000).toISOString();
    const delayed = random() < 0.2 ? 1 : 0;
    const score = Math.min(0.99, Math.max(0.01, 0.15 + 0.3 * delayed + 0.15 * normal()));
    const inputs = { distance: 800 + 300 * normal() + (shifted ? 400 : 0), carrier: CARRIERS[Math.floor(random() * (shifted ? 2 : 4))], hour: Math.floor(random() * 24) };
    records.push({ type: 'prediction', time, unit: `p-${index}`, requestId: `r-${index}`, model: 'flight-delay', version: 1, score, decision: score >= 0.3 ? 1 : 0, latencyMs: 2 + random(), inputs: JSON.stringify(inputs) });
    records.push({ type: 'outcome', time, unit: `p-${index}`, name: 'delayed', value: delayed });
    // Shifted traffic also fails now and then: 1 request in 25.
    if (shifted && index % 25 === 0) records.push({ type: 'error', time, unit: `p-${index}`, requestId: `e-${index}`, model: 'flight-delay', version: 1, name: 'model_error', latencyMs: 1 });
  }
  await writer.append(records);
  await writer.close();
  await workspace.close();
}

