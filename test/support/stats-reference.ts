/** The reference values that test/fixtures/stats/make-reference.py computed with scipy and statsmodels. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/stats/reference.json');

/** The parsed fixture file; sections as the script names them. */
export const STATS_REFERENCE = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, any[]>;

/** The agreement the issue asks for: 1e-6 relative. */
export const RELATIVE_TOLERANCE = 1e-6;

/** The largest relative difference seen by `expectClose`, overall and per describe block, for reporting. */
export const worstAgreement = { relative: 0, bySection: new Map<string, number>() };

/** Expects `actual` within `tolerance` relative of `expected` (absolute below 1e-12); null stands for an infinite bound. */
export function expectClose(actual: number, expected: number | null, label: string, tolerance = RELATIVE_TOLERANCE): void {
  if (expected === null) {
    expect(Number.isFinite(actual), `${label}: expected an open bound, got ${actual}`).toBe(false);
    return;
  }
  const scale = Math.max(Math.abs(expected), 1e-12);
  const relative = Math.abs(actual - expected) / scale;
  worstAgreement.relative = Math.max(worstAgreement.relative, relative);
  const section = (expect.getState().currentTestName ?? '').split(' > ')[0] ?? '';
  worstAgreement.bySection.set(section, Math.max(worstAgreement.bySection.get(section) ?? 0, relative));
  expect(relative, `${label}: ${actual} against reference ${expected}`).toBeLessThanOrEqual(tolerance);
}
