/**
 * The evaluation's charts as Vega-Lite specs, one per curve, every model of the evaluation in one chart
 * (colour by model), rendered to inline SVG by the exploration report's renderer. The specs are data
 * too: the JSON output and the web UI can embed them as they are.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ModelEvaluation } from '../evaluate-predictions.js';
import type { ModelBusinessValue } from '../evaluation-value.js';

const SIZE = { width: 260, height: 220 };
const COLOR = { field: 'model', type: 'nominal', title: null, scale: { range: ['#2563eb', '#d97706', '#6b7280', '#059669'] } } as const;

function rows<T extends object>(models: readonly ModelEvaluation[], pick: (model: ModelEvaluation) => readonly T[] | undefined): (T & { model: string })[] {
  return models.flatMap((model) => (pick(model) ?? []).map((point) => ({ ...point, model: `${model.name} (${model.role})` })));
}

const binary = (model: ModelEvaluation) => (model.curves.task === 'binary' ? model.curves.binary : undefined);

/** ROC curves with the chance diagonal. */
export function rocSpec(models: readonly ModelEvaluation[]): TopLevelSpec {
  return {
    ...SIZE,
    title: 'ROC',
    layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', color: '#d1d5db', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values: rows(models, (model) => binary(model)?.roc) },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: { x: { field: 'falsePositiveRate', type: 'quantitative', title: 'false positive rate' }, y: { field: 'truePositiveRate', type: 'quantitative', title: 'true positive rate' }, color: COLOR },
      },
    ],
  } as TopLevelSpec;
}

/** Precision against recall. */
export function precisionRecallSpec(models: readonly ModelEvaluation[]): TopLevelSpec {
  return {
    ...SIZE,
    title: 'precision-recall',
    data: { values: rows(models, (model) => binary(model)?.precisionRecall) },
    mark: { type: 'line', interpolate: 'step-before' },
    encoding: { x: { field: 'recall', type: 'quantitative' }, y: { field: 'precision', type: 'quantitative', scale: { domain: [0, 1] } }, color: COLOR },
  } as TopLevelSpec;
}

/** The reliability diagram: observed positive share against mean predicted probability per bin. */
export function calibrationSpec(models: readonly ModelEvaluation[]): TopLevelSpec {
  return {
    ...SIZE,
    title: 'calibration',
    layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', color: '#d1d5db', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values: rows(models, (model) => binary(model)?.calibration) },
        mark: { type: 'line', point: true },
        encoding: { x: { field: 'meanPredicted', type: 'quantitative', title: 'mean predicted probability' }, y: { field: 'observedRate', type: 'quantitative', title: 'observed positive share' }, color: COLOR },
      },
    ],
  } as TopLevelSpec;
}

/** Cumulative gain by the share of rows taken, highest scores first. */
export function gainSpec(models: readonly ModelEvaluation[]): TopLevelSpec {
  return {
    ...SIZE,
    title: 'cumulative gain',
    data: { values: rows(models, (model) => binary(model)?.gain) },
    mark: { type: 'line', point: true },
    encoding: { x: { field: 'percent', type: 'quantitative', title: '% of rows, highest scores first' }, y: { field: 'gain', type: 'quantitative', title: 'share of positives found' }, color: COLOR },
  } as TopLevelSpec;
}

/** Lift by the share of rows taken. */
export function liftSpec(models: readonly ModelEvaluation[]): TopLevelSpec {
  return {
    ...SIZE,
    title: 'lift',
    data: { values: rows(models, (model) => binary(model)?.gain.filter((point) => point.percent > 0)) },
    mark: { type: 'line', point: true },
    encoding: { x: { field: 'percent', type: 'quantitative', title: '% of rows, highest scores first' }, y: { field: 'lift', type: 'quantitative' }, color: COLOR },
  } as TopLevelSpec;
}

/** The confusion matrix of one model as a heat map with counts. */
export function confusionSpec(model: ModelEvaluation): TopLevelSpec | undefined {
  const cells = model.curves.task === 'binary' ? model.curves.binary.confusion : model.curves.task === 'multiclass' ? model.curves.multiclass.confusion : undefined;
  if (cells === undefined) return undefined;
  const encoding = { x: { field: 'predicted', type: 'nominal', title: 'predicted' }, y: { field: 'actual', type: 'nominal', title: 'actual' } };
  return {
    width: 200,
    height: 200,
    title: `confusion: ${model.name}`,
    data: { values: cells.map((cell) => ({ ...cell, label: Math.round(cell.weight).toLocaleString('en-US') })) },
    layer: [
      { mark: 'rect', encoding: { ...encoding, color: { field: 'weight', type: 'quantitative', title: 'rows', scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { ...encoding, text: { field: 'label', type: 'nominal' } } },
    ],
  } as TopLevelSpec;
}

/** Residuals against predictions for every model. */
export function residualSpec(models: readonly ModelEvaluation[]): TopLevelSpec {
  return {
    ...SIZE,
    title: 'residuals',
    data: { values: rows(models, (model) => (model.curves.task === 'regression' ? model.curves.regression.residuals : undefined)) },
    mark: { type: 'point', size: 8, opacity: 0.5 },
    encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'residual', type: 'quantitative', title: 'target - prediction' }, color: COLOR },
  } as TopLevelSpec;
}

/** Expected value per decision against the threshold, every model, from the business value's thinned curves. */
export function valueCurveSpec(values: readonly ModelBusinessValue[]): TopLevelSpec | undefined {
  const points = values.flatMap((value) => (value.curve ?? []).filter((point) => Number.isFinite(point.threshold)).map((point) => ({ ...point, model: `${value.model} (${value.role})` })));
  if (points.length === 0) return undefined;
  return {
    ...SIZE,
    title: `value per decision (${values[0]?.currency ?? ''})`,
    data: { values: points },
    mark: { type: 'line' },
    encoding: { x: { field: 'threshold', type: 'quantitative' }, y: { field: 'valuePerDecision', type: 'quantitative', title: 'value per decision' }, color: COLOR },
  } as TopLevelSpec;
}

/** Every chart the evaluation has, by name. */
export function evaluationChartSpecs(models: readonly ModelEvaluation[], values: readonly ModelBusinessValue[] = []): Record<string, TopLevelSpec> {
  const task = models[0]?.curves.task;
  const specs: Record<string, TopLevelSpec> = {};
  if (task === 'binary') Object.assign(specs, { roc: rocSpec(models), precisionRecall: precisionRecallSpec(models), calibration: calibrationSpec(models), gain: gainSpec(models), lift: liftSpec(models) });
  if (task === 'regression') specs.residuals = residualSpec(models);
  const value = valueCurveSpec(values);
  if (value !== undefined) specs.value = value;
  for (const model of models) {
    const confusion = confusionSpec(model);
    if (confusion !== undefined) specs[`confusion-${model.role}`] = confusion;
  }
  return specs;
}
