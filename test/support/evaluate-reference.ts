/** The reference values that test/fixtures/evaluate/metrics-reference.py computed with scikit-learn, numpy and scipy. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/evaluate/metrics-reference.json');

/** The parsed fixture file; sections as the script names them. */
export const EVALUATE_REFERENCE = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, any[]>;

/** The agreement the issue asks for: 1e-9 relative (absolute below 1e-12). */
export function expectRelative(actual: number, expected: number, label: string, tolerance = 1e-9): void {
  const relative = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  expect(relative, `${label}: ${actual} against reference ${expected}`).toBeLessThanOrEqual(tolerance);
}
