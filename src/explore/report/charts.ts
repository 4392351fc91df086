/**
 * The exploration report's charts as Vega-Lite specs, rendered to SVG by report/svg-chart.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ColumnProfile, Correlation, TargetAssociation } from '../profile-types.js';

/** A histogram of a numeric column, or the bars of its top values, or its count over time. */
export function columnChartSpec(column: ColumnProfile, color = '#2563eb'): TopLevelSpec | undefined {
  if (column.numeric !== undefined && column.numeric.histogram.length > 0) {
    return {
      width: 300,
      height: 120,
      data: { values: column.numeric.histogram },
      mark: { type: 'bar', color, binSpacing: 0 },
      encoding: {
        x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: column.name },
        x2: { field: 'end' },
        y: { field: 'count', type: 'quantitative', title: 'rows' },
      },
    };
  }
  if (column.categorical !== undefined && column.categorical.top.length > 0) {
    const values = column.categorical.top.map((item) => ({ value: item.value, count: item.count }));
    if (column.categorical.otherCount > 0) values.push({ value: '(other)', count: column.categorical.otherCount });
    return {
      width: 300,
      height: { step: 14 },
      data: { values },
      mark: { type: 'bar', color },
      encoding: {
        y: { field: 'value', type: 'nominal', sort: null, title: null },
        x: { field: 'count', type: 'quantitative', title: 'rows' },
      },
    };
  }
  if (column.datetime !== undefined && column.datetime.counts.length > 0) {
    return {
      width: 300,
      height: 120,
      data: { values: column.datetime.counts },
      mark: { type: 'area', color, line: true, opacity: 0.4 },
      encoding: {
        x: { field: 'start', type: 'temporal', title: `${column.name} (per ${column.datetime.unit})` },
        y: { field: 'count', type: 'quantitative', title: 'rows' },
      },
    };
  }
  if (column.text !== undefined && column.text.topTokens.length > 0) {
    return {
      width: 300,
      height: { step: 14 },
      data: { values: column.text.topTokens },
      mark: { type: 'bar', color },
      encoding: {
        y: { field: 'token', type: 'nominal', sort: null, title: 'token' },
        x: { field: 'count', type: 'quantitative', title: 'occurrences' },
      },
    };
  }
  return undefined;
}

/** One heat map of every pairwise association: Spearman signed, Cramer's V and eta in [0, 1]. */
export function correlationHeatmapSpec(correlations: readonly Correlation[]): TopLevelSpec | undefined {
  if (correlations.length === 0) return undefined;
  const names = [...new Set(correlations.flatMap((item) => [item.a, item.b]))];
  const values = correlations.flatMap((item) => [
    { a: item.a, b: item.b, value: item.value, method: item.method },
    { a: item.b, b: item.a, value: item.value, method: item.method },
  ]);
  for (const name of names) values.push({ a: name, b: name, value: 1, method: 'spearman' });
  const size = Math.min(26, Math.max(14, Math.floor(420 / names.length)));
  return {
    width: { step: size },
    height: { step: size },
    data: { values },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x: { field: 'a', type: 'nominal', sort: names, title: null },
          y: { field: 'b', type: 'nominal', sort: names, title: null },
          color: { field: 'value', type: 'quantitative', scale: { scheme: 'redblue', domain: [-1, 1], reverse: true }, title: 'association' },
        },
      },
      ...(names.length <= 16
        ? [
            {
              mark: { type: 'text' as const, fontSize: 8 },
              encoding: {
                x: { field: 'a', type: 'nominal' as const, sort: names },
                y: { field: 'b', type: 'nominal' as const, sort: names },
                text: { field: 'value', type: 'quantitative' as const, format: '.2f' },
              },
            },
          ]
        : []),
    ],
  };
}

/** Mutual information of each column with the target, ranked. */
export function associationSpec(associations: readonly TargetAssociation[], target: string): TopLevelSpec | undefined {
  if (associations.length === 0) return undefined;
  return {
    width: 320,
    height: { step: 14 },
    data: { values: associations.map((item) => ({ column: item.column, mi: item.mutualInformation })) },
    mark: { type: 'bar', color: '#059669' },
    encoding: {
      y: { field: 'column', type: 'nominal', sort: '-x', title: null },
      x: { field: 'mi', type: 'quantitative', title: `mutual information with ${target} (nats)` },
    },
  };
}
