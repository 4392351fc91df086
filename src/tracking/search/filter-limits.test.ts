/**
 * Filter limits: each over-limit filter is refused by name, and a filter at every limit at once still
 * runs on a real SQLite store (the limits sit below what SQLite refuses).
 */
import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { createWorkspace } from '../../store/workspace.js';
import { FILTER_LIMITS } from './filter-limits.js';
import { parseFilter, parseOrderBy } from './parse-filter.js';

const or = (count: number) => Array.from({ length: count }, (_, index) => `params.p${index} = 'x'`).join(' OR ');
const inList = (count: number) => `params.p IN (${Array.from({ length: count }, (_, index) => `'${index}'`).join(',')})`;
const nested = (depth: number) => `${'('.repeat(depth)}metrics.m > 0${')'.repeat(depth)}`;

describe('filter limits', () => {
  it('refuses each over-limit filter with a message naming the limit, however large the input', () => {
    expect(() => parseFilter(or(1000))).toThrow(`filter: the filter has more than ${FILTER_LIMITS.comparisons} comparisons`);
    expect(() => parseFilter(inList(100_000))).toThrow(/filter: the filter has more than 50000 characters/);
    expect(() => parseFilter(`${inList(2600)} OR ${inList(2600)}`.replace(/'\d+'/g, "'1'"))).toThrow(`more than ${FILTER_LIMITS.listValues} values in IN lists`);
    expect(() => parseFilter(nested(5000))).toThrow(`more than ${FILTER_LIMITS.nesting} nested parentheses`);
    expect(() => parseFilter(nested(FILTER_LIMITS.nesting + 1))).toThrow(`more than ${FILTER_LIMITS.nesting} nested parentheses`);
    expect(() => parseOrderBy(Array.from({ length: 30 }, (_, index) => `params.p${index}`).join(', '))).toThrow(`orderBy: the ordering has more than ${FILTER_LIMITS.orderings} orderings`);
    expect(() => parseFilter(`params.p = ${'x'.repeat(19_000)}`)).toThrow(/^filter: column 12 at "x{40}\.\.\. \(18960 more characters\)": /);
  });

  it('runs a filter at every limit on SQLite', async () => {
    const { workspace } = await createWorkspace(tempDir(), 'limits', testContext());
    const experiment = await workspace.runs.ensureExperiment('e', testContext());
    const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'r', startTime: 1 }, testContext());
    await workspace.runs.logParams(run.id, { p0: 'x', p: '7' }, testContext());
    const values = Array.from({ length: FILTER_LIMITS.listValues / 5 }, (_, index) => `'${index}'`).join(',');
    const lists = Array.from({ length: 5 }, () => `params.p IN (${values})`).join(' OR ');
    const text = `${nested(FILTER_LIMITS.nesting - 1).replace('metrics.m > 0', `${lists} OR ${or(FILTER_LIMITS.comparisons - 5)}`)}`;
    expect(text.length).toBeLessThanOrEqual(FILTER_LIMITS.length);
    const filter = parseFilter(text);
    const orderBy = parseOrderBy(Array.from({ length: FILTER_LIMITS.orderings }, (_, index) => `params.p${index}`).join(', '));
    expect((await workspace.runs.searchRuns({ ...(filter === undefined ? {} : { filter }), orderBy })).runs.map((found) => found.id)).toEqual([run.id]);
    await workspace.close();
  });
});
