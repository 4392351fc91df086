/** Text forms of dataset versions, schemas, facts, validations and diffs. */
import type { FeasibilityFacts } from '../data/feasibility.js';
import type { DatasetDiff } from '../data/diff.js';
import type { SqlValue } from '../store/analytics.js';
import type { DatasetValidation, DatasetVersion } from '../store/dataset-store.js';
import { formatTable } from './output.js';

function percent(share: number): string {
  return `${(100 * share).toFixed(share < 0.001 && share > 0 ? 3 : 1)}%`;
}

function value(item: SqlValue): string {
  if (item === null) return '';
  return typeof item === 'string' ? item : JSON.stringify(item);
}

/** `flights@1 (3,000,000 rows, 5 columns, 3f2a9c1b7d0e)`. */
export function formatVersionLine(version: DatasetVersion): string {
  return `${version.ref} (${version.rowCount.toLocaleString('en-US')} rows, ${version.columns.length} columns, ${version.hash.slice(0, 12)})`;
}

/** The schema as a table: name, semantic and storage type, missing share, distinct count, range. */
export function formatSchema(version: DatasetVersion): string {
  const rows = [['column', 'type', 'storage', 'missing', 'distinct', 'min', 'max']];
  for (const column of version.columns) {
    const type = column.overridden ? `${column.semanticType} (declared; inferred ${column.inferredType})` : column.semanticType;
    const missing = version.rowCount === 0 ? 0 : (version.rowCount - column.nonNull) / version.rowCount;
    const distinct = `${column.distinctApproximate === true ? '~' : ''}${column.distinct.toLocaleString('en-US')}`;
    rows.push([column.name, type, column.storageType, percent(missing), distinct, value(column.min), value(column.max)]);
  }
  return formatTable(rows);
}

/** Lineage in one or two lines. */
export function formatLineage(version: DatasetVersion): string[] {
  const { source, parents, transformation } = version.lineage;
  const lines: string[] = [];
  if (source !== undefined) lines.push(`source: ${source.path} (${source.format}, ${source.size.toLocaleString('en-US')} bytes, modified ${source.modifiedAt})`);
  if (parents !== undefined) lines.push(`from: ${parents.map((parent) => `${parent.ref} (${parent.hash.slice(0, 12)})`).join(', ')}`);
  if (transformation !== undefined) lines.push(`transformation: ${JSON.stringify(transformation)}`);
  return lines;
}

/** The feasibility facts as short lines. */
export function formatFacts(facts: FeasibilityFacts): string[] {
  const lines = [`rows: ${facts.rows.toLocaleString('en-US')}`];
  if (facts.target !== undefined) {
    const balance = facts.target.balance.slice(0, 6).map((item) => `${item.value} ${percent(item.share)}`).join(', ');
    lines.push(`target ${facts.target.column}${facts.target.from === 'definition' ? ' (from its definition)' : ''}: ${balance}`);
  }
  lines.push(
    facts.missing.length === 0
      ? 'missing values: none'
      : `missing values: ${facts.missing.map((item) => `${item.column} ${percent(item.share)}`).join(', ')}`,
  );
  lines.push(`duplicate rows: ${facts.duplicateRows.toLocaleString('en-US')} (${percent(facts.rows === 0 ? 0 : facts.duplicateRows / facts.rows)})`);
  if (facts.futureTimestamps !== undefined) lines.push(`rows with ${facts.futureTimestamps.column} in the future: ${facts.futureTimestamps.count}`);
  if (facts.power.length > 0) {
    lines.push(`single-column power (Gini or R-squared, held out): ${facts.power.slice(0, 6).map((item) => `${item.column} ${item.power.toFixed(3)}`).join(', ')}`);
  }
  lines.push(
    facts.leakSuspects.length === 0
      ? 'leak suspects: none'
      : `leak suspects: ${facts.leakSuspects.map((suspect) => `${suspect.column} (${suspect.reasons.join('; ')})`).join('; ')}`,
  );
  lines.push(`feature columns: ${facts.featureColumns.join(', ')}`);
  for (const note of facts.notes) lines.push(`note: ${note}`);
  return lines;
}

/** A validation as one line per check. */
export function formatValidation(validation: DatasetValidation): string {
  const lines = [`${validation.ref}: ${validation.passed ? 'passed' : 'FAILED'} (${validation.outcomes.length} checks, ${validation.at})`];
  if (validation.outcomes.length === 0) lines.push('  no checks declared: add them under datasets in mlcycle.yaml (`mlcycle data suggest-checks` proposes some)');
  for (const outcome of validation.outcomes) {
    const mark = outcome.passed ? 'ok  ' : outcome.severity === 'warning' ? 'warn' : 'FAIL';
    const detail = outcome.error ?? (outcome.passed ? '' : `observed ${value(outcome.observed)}${outcome.examples.length > 0 ? `, e.g. ${outcome.examples.map(value).join(', ')}` : ''}`);
    lines.push(`  ${mark}  ${outcome.description}${detail === '' ? '' : `: ${detail}`}`);
  }
  if (!validation.targetPresent) lines.push('  note: the spec\'s target is not in this version');
  return lines.join('\n');
}

/** A diff as text. */
export function formatDiff(diff: DatasetDiff): string {
  const [before, after] = diff.rows;
  const change = before === 0 ? '' : ` (${after >= before ? '+' : ''}${(((after - before) / before) * 100).toFixed(1)}%)`;
  const lines = [`${diff.from} -> ${diff.to}`, `rows: ${before.toLocaleString('en-US')} -> ${after.toLocaleString('en-US')}${change}`];
  if (diff.added.length > 0) lines.push(`added columns: ${diff.added.join(', ')}`);
  if (diff.removed.length > 0) lines.push(`removed columns: ${diff.removed.join(', ')}`);
  for (const retyped of diff.retyped) lines.push(`retyped: ${retyped.column} ${retyped.from} -> ${retyped.to}`);
  const rows = [['column', 'type', 'missing', 'mean', 'shift', '']];
  for (const column of diff.columns) {
    const missing = `${percent(column.missingShare[0])} -> ${percent(column.missingShare[1])}`;
    const mean = column.mean === undefined ? '' : `${column.mean[0].toPrecision(4)} -> ${column.mean[1].toPrecision(4)}`;
    const shift =
      column.standardizedMeanDifference !== undefined
        ? `SMD ${column.standardizedMeanDifference.toFixed(3)}`
        : column.totalVariationDistance !== undefined
          ? `TVD ${column.totalVariationDistance.toFixed(3)}`
          : '';
    rows.push([column.column, column.semanticType, missing, mean, shift, column.shifted ? 'shifted' : '']);
  }
  lines.push('', formatTable(rows));
  return lines.join('\n');
}
