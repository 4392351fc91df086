/** Workspaces for data tests: a valid spec, real files, a DuckDB engine. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { initProject } from '../../src/problem/init-project.js';
import { checkSpecText } from '../../src/problem/load-spec.js';
import type { ProblemSpec } from '../../src/problem/spec-schema.js';
import type { AnalyticsEngine } from '../../src/store/analytics.js';
import { openDuckDb } from '../../src/store/duckdb/engine.js';
import type { Workspace } from '../../src/store/workspace.js';
import { tempDir, testContext } from './temp-dir.js';

export { BANK_CSV, TEST_DATA } from './test-data.js';

/** A spec for the bank marketing data: target y, duration declared as known after the outcome. */
export const BANK_SPEC = `version: 1
name: term-deposits
customerProblem: clients get calls about products they do not want
businessProblem: each call costs agent time; calls should go to clients likely to subscribe
task: binary
target: { column: y, positive: 1 }
randomizationUnit: client_id
successMetrics:
  - { id: subscriptions, description: term deposits per call, kind: proportion, source: { column: y }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }
stakeholders:
  - { name: Ana, roles: [product-manager, data-scientist] }
owners:
  dataset: { owner: Ana, onCall: ana@example.com }
datasets:
  bank:
    columns:
      duration: { availableAt: after-outcome, description: "call length, known only once the call ended" }
    checks:
      - { check: not-null, column: age }
      - { check: range, column: age, min: 17, max: 98 }
      - { check: allowed-values, column: marital, values: [married, single, divorced, unknown] }
      - { check: row-count, min: 40000 }
`;

export interface DataFixture {
  workspace: Workspace;
  engine: AnalyticsEngine;
  spec: ProblemSpec;
  root: string;
  context: ReturnType<typeof testContext>;
  close(): Promise<void>;
}

/** A fresh workspace with the given spec text and an open engine. */
export async function openDataFixture(specText = BANK_SPEC): Promise<DataFixture> {
  const root = tempDir();
  writeFileSync(path.join(root, 'mlcycle.yaml'), specText);
  const context = testContext();
  const { workspace } = await initProject(root, { context });
  const check = checkSpecText(specText, 'mlcycle.yaml');
  if (check.spec === undefined) throw new Error(`test spec is invalid: ${JSON.stringify(check.issues)}`);
  const engine = await openDuckDb();
  return {
    workspace,
    engine,
    spec: check.spec,
    root,
    context,
    close: async () => {
      await engine.close();
      await workspace.close();
    },
  };
}
