/**
 * Run search against a reference, for every metadata backend: random filters and orderings over a fixed set
 * of random runs give the same runs, in the same order, as a plain TypeScript evaluation of the same AST; and
 * pages join up. The SQLite and PostgreSQL tests (src/store/{sqlite,postgres}/run-search.test.ts) run it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/stats/random.js';
import type { FilterComparison, FilterExpression, FilterField, FilterValue, RunOrder } from '../../src/store/run-filter.js';
import type { MetricStore, Run, RunStatus, RunStore } from '../../src/store/run-store.js';
import { likeToGlob } from '../../src/store/sqlite/run-search.js';

export function describeRunSearch(name: string, open: () => Promise<{ store: RunStore; metrics: MetricStore; close(): Promise<void> }>): void {
  const PARAM_VALUES = ['0.1', '0.01', 'a_b', 'A%b', "it's", '*', ''];
  const TAG_VALUES = ['growth', 'Growth', 'risk', 'gr[o]wth', 'g_'];
  const STATUSES: RunStatus[] = ['RUNNING', 'FINISHED', 'FAILED'];
  const DATASETS = ['flights', 'census'];

  let store: RunStore;
  let allRuns: Run[];
  let experimentA: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await open();
    close = opened.close;
    store = opened.store;
    const metrics = opened.metrics;
    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const context = { actor: 'sam', now: () => new Date('2026-01-01T00:00:00Z') };
    const experiments = [await store.ensureExperiment('a', context), await store.ensureExperiment('b', context)];
    for (let index = 0; index < 60; index++) {
      const run = await store.createRun({ experimentId: pick(experiments).id, name: `run-${index % 7}`, startTime: 1000 + Math.floor(random() * 20) }, context);
      if (random() < 0.8) await store.logParams(run.id, { lr: pick(PARAM_VALUES) }, context);
      if (random() < 0.5) await store.logParams(run.id, { depth: String(Math.floor(random() * 4)) }, context);
      if (random() < 0.6) await store.setTags(run.id, { team: pick(TAG_VALUES) }, context);
      const points = (['auc', 'loss'] as const).filter(() => random() < 0.75).map((key) => {
        const value = random() < 0.1 ? NaN : Math.round(random() * 10) / 10;
        return { key, steps: Float64Array.of(0), timestamps: Float64Array.of(1), values: Float64Array.of(value) };
      });
      if (points.length > 0) await metrics.appendMetrics(run.id, points, context);
      if (random() < 0.5) await store.logInputs(run.id, [{ dataset: pick(DATASETS), digest: pick(['d1', 'd2']), context: pick(['training', 'validation']) }], context);
      const status = pick(STATUSES);
      if (status !== 'RUNNING') await store.endRun(run.id, status, 5000 + index, context);
      // Deleted runs must stay out of every search, whatever OR the filter holds.
      if (random() < 0.1) await store.setRunLifecycle(run.id, 'deleted', context);
    }
    allRuns = (await store.searchRuns({ maxResults: 1000 })).runs;
    experimentA = experiments[0]?.id as string;
  });

  afterAll(async () => {
    await close();
  });

  function likeRegex(pattern: string, flags: string): RegExp {
    const body = [...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
    return new RegExp(`^${body}$`, `s${flags}`);
  }

  /** The field's value on a run (several for datasets), undefined when the run does not have it. */
  function valuesOf(run: Run, field: FilterField): (FilterValue | null)[] {
    switch (field.entity) {
      case 'metric': {
        const metric = run.metrics[field.key];
        if (metric === undefined) return [];
        return [Number.isNaN(metric.value) ? null : metric.value];
      }
      case 'param':
        return field.key in run.params ? [run.params[field.key] as string] : [];
      case 'tag':
        return field.key in run.tags ? [run.tags[field.key] as string] : [];
      case 'dataset':
        return run.inputs.map((input) => (field.key === 'name' ? input.dataset : field.key === 'digest' ? input.digest : input.context));
      case 'attribute': {
        const value = { run_id: run.id, run_name: run.name, status: run.status, user_id: run.userId, experiment_id: run.experimentId, start_time: run.startTime, end_time: run.endTime ?? null }[field.key];
        return [value ?? null];
      }
    }
  }

  function compare(actual: FilterValue | null, comparison: FilterComparison): boolean {
    if (actual === null) return false;
    const { comparator, value } = comparison;
    switch (comparator) {
      case '=': return actual === value;
      case '!=': return actual !== value;
      case '<': return actual < (value as FilterValue);
      case '<=': return actual <= (value as FilterValue);
      case '>': return actual > (value as FilterValue);
      case '>=': return actual >= (value as FilterValue);
      case 'LIKE': return likeRegex(String(value), '').test(String(actual));
      case 'ILIKE': return likeRegex(String(value), 'i').test(String(actual));
      case 'IN': return (value as FilterValue[]).includes(actual);
      case 'NOT IN': return !(value as FilterValue[]).includes(actual);
    }
  }

  function matches(run: Run, expression: FilterExpression): boolean {
    if (expression.kind !== 'comparison') {
      const results = expression.operands.map((operand) => matches(run, operand));
      return expression.kind === 'and' ? results.every(Boolean) : results.some(Boolean);
    }
    return valuesOf(run, expression.field).some((actual) => compare(actual, expression));
  }

  function referenceOrder(runs: Run[], orderBy: readonly RunOrder[]): Run[] {
    return [...runs].sort((a, b) => {
      for (const order of orderBy) {
        const [x] = valuesOf(a, order.field);
        const [y] = valuesOf(b, order.field);
        const xMissing = x === undefined || x === null;
        const yMissing = y === undefined || y === null;
        if (xMissing !== yMissing) return xMissing ? 1 : -1;
        if (xMissing || x === y) continue;
        const sign = (x as FilterValue) < (y as FilterValue) ? -1 : 1;
        return order.direction === 'asc' ? sign : -sign;
      }
      if (a.startTime !== b.startTime) return b.startTime - a.startTime;
      return a.id < b.id ? -1 : 1;
    });
  }

  const numberArbitrary = fc.constantFrom(0, 0.2, 0.5, 0.7, 1, -1);
  const comparisonArbitrary: fc.Arbitrary<FilterComparison> = fc.oneof(
    fc.record({ key: fc.constantFrom('auc', 'loss', 'absent'), comparator: fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const), value: numberArbitrary }).map(
      ({ key, comparator, value }): FilterComparison => ({ kind: 'comparison', field: { entity: 'metric', key }, comparator, value }),
    ),
    fc.record({
      field: fc.constantFrom<FilterField>({ entity: 'param', key: 'lr' }, { entity: 'param', key: 'depth' }, { entity: 'tag', key: 'team' }),
      comparator: fc.constantFrom('=', '!=', 'LIKE', 'ILIKE' as const),
      value: fc.constantFrom(...PARAM_VALUES, ...TAG_VALUES, 'gr%', '%o%', '_', '%', 'G%', '0._', '%[o]%', '1'),
    }).map(({ field, comparator, value }): FilterComparison => ({ kind: 'comparison', field, comparator, value })),
    fc.record({ negate: fc.boolean(), values: fc.array(fc.constantFrom(...STATUSES, 'KILLED'), { minLength: 1, maxLength: 2 }) }).map(
      ({ negate, values }): FilterComparison => ({ kind: 'comparison', field: { entity: 'attribute', key: 'status' }, comparator: negate ? 'NOT IN' : 'IN', value: values }),
    ),
    fc.record({ key: fc.constantFrom('name', 'digest', 'context'), value: fc.constantFrom(...DATASETS, 'd1', 'd2', 'training', 'validation') }).map(
      ({ key, value }): FilterComparison => ({ kind: 'comparison', field: { entity: 'dataset', key }, comparator: '=', value }),
    ),
    fc.record({ comparator: fc.constantFrom('<', '>=' as const), value: fc.integer({ min: 1000, max: 1020 }) }).map(
      ({ comparator, value }): FilterComparison => ({ kind: 'comparison', field: { entity: 'attribute', key: 'start_time' }, comparator, value }),
    ),
  );
  const filterArbitrary: fc.Arbitrary<FilterExpression> = fc.letrec<{ filter: FilterExpression }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparisonArbitrary,
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), operands: fc.array(tie('filter'), { minLength: 1, maxLength: 3 }) }),
    ),
  })).filter;
  const orderArbitrary = fc.array(
    fc.record({
      field: fc.constantFrom<FilterField>(
        { entity: 'metric', key: 'auc' },
        { entity: 'metric', key: 'loss' },
        { entity: 'param', key: 'lr' },
        { entity: 'tag', key: 'team' },
        { entity: 'attribute', key: 'end_time' },
        { entity: 'attribute', key: 'run_name' },
      ),
      direction: fc.constantFrom('asc' as const, 'desc' as const),
    }),
    { maxLength: 2 },
  );

  describe(`run search (${name})`, () => {
    it('matches a reference evaluation for random filters and orderings', async () => {
      await fc.assert(
        fc.asyncProperty(filterArbitrary, orderArbitrary, fc.boolean(), async (filter, orderBy, oneExperiment) => {
          const found = await store.searchRuns({ filter, orderBy, maxResults: 1000, ...(oneExperiment ? { experimentIds: [experimentA] } : {}) });
          const candidates = allRuns.filter((run) => !oneExperiment || run.experimentId === experimentA);
          const expected = referenceOrder(candidates.filter((run) => matches(run, filter)), orderBy);
          expect(found.runs.map((run) => run.id)).toEqual(expected.map((run) => run.id));
        }),
        { numRuns: 300 },
      );
    });

    it('returns pages that join up to the whole result, whatever the page size', async () => {
      await fc.assert(
        fc.asyncProperty(orderArbitrary, fc.integer({ min: 1, max: 25 }), async (orderBy, pageSize) => {
          const whole = await store.searchRuns({ orderBy, maxResults: 1000 });
          const paged: string[] = [];
          let pageToken: string | undefined;
          do {
            const page = await store.searchRuns({ orderBy, maxResults: pageSize, ...(pageToken === undefined ? {} : { pageToken }) });
            expect(page.runs.length).toBeLessThanOrEqual(pageSize);
            paged.push(...page.runs.map((run) => run.id));
            pageToken = page.nextPageToken;
          } while (pageToken !== undefined);
          expect(paged).toEqual(whole.runs.map((run) => run.id));
        }),
        { numRuns: 40 },
      );
    });

    it('refuses a page token from another query or a forged one', async () => {
      const first = await store.searchRuns({ maxResults: 5, orderBy: [{ field: { entity: 'metric', key: 'auc' }, direction: 'desc' }] });
      expect(first.nextPageToken).toBeDefined();
      await expect(store.searchRuns({ maxResults: 5, pageToken: first.nextPageToken as string })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/another filter/) });
      await expect(store.searchRuns({ pageToken: 'not-a-token' })).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(store.searchRuns({ maxResults: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    });

    it('treats hostile values as values', async () => {
      const value = "x' OR 1=1; DROP TABLE runs; --";
      const filter: FilterExpression = { kind: 'comparison', field: { entity: 'param', key: "lr' OR '1'='1" }, comparator: '!=', value };
      expect((await store.searchRuns({ filter })).runs).toEqual([]);
      expect((await store.searchRuns({ maxResults: 1000 })).runs).toHaveLength(allRuns.length);
    });

    it('turns LIKE patterns into case-sensitive GLOB patterns', () => {
      expect(likeToGlob('a%b_c*d?e[f]')).toBe('a*b?c[*]d[?]e[[]f]');
    });
  });
}
