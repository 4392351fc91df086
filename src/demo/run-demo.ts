/**
 * The main job: the flight-delay alert product's lifecycle, stage by stage, on real data. Each landed
 * stage adds its step here; the demo must run at every landing.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readBoard } from '../lifecycle.js';
import type { Board } from '../problem/board.js';
import { initProject } from '../problem/init-project.js';
import type { ChangeContext } from '../store/audit-log.js';
import { FLIGHT_DELAY_SPEC } from './flight-delay-spec.js';

export interface DemoOptions {
  /** The folder to run in; a new temporary folder by default. Existing files there are kept. */
  dir?: string;
  context: ChangeContext;
  /** Progress lines for the person watching. */
  log: (line: string) => void;
}

export interface DemoResult {
  root: string;
  board: Board;
}

/** Runs every stage the demo has so far and returns the resulting board. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const root = options.dir === undefined ? await mkdtemp(path.join(os.tmpdir(), 'mlcycle-demo-')) : path.resolve(options.dir);
  options.log(`mlcycle demo: alert passengers about likely flight delays, in ${root}`);
  const outcome = await initProject(root, { name: 'flight-delay-alerts', specText: FLIGHT_DELAY_SPEC, context: options.context });
  try {
    options.log(outcome.specWritten ? 'stage 1: wrote the problem spec mlcycle.yaml' : 'stage 1: kept the existing mlcycle.yaml');
    const board = await readBoard(outcome.workspace, options.context);
    return { root, board };
  } finally {
    await outcome.workspace.close();
  }
}
