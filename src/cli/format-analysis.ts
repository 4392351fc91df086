/** The text report of `mlcycle stats analyze`: health, decisions, then one table per metric. */
import type { ArmComparisonResult, ExperimentAnalysis, MetricAnalysis } from '../experiment/analyze-experiment.js';
import { formatEffect, formatP } from '../experiment/decision.js';
import { formatTable } from './output.js';

const DECISION_WORDS = { ship: 'SHIP', 'dont-ship': "DON'T SHIP", 'keep-running': 'KEEP RUNNING', investigate: 'INVESTIGATE' } as const;

/** The whole analysis as text a product manager and an analyst both read. */
export function formatAnalysis(analysis: ExperimentAnalysis): string {
  const { options, sampleRatio } = analysis;
  const inference = options.sequential === null ? 'fixed-horizon' : options.sequential.method === 'confidence-sequence' ? `confidence sequences (tuning ${options.sequential.tuningParameter})` : `mixture SPRT (tau ${options.sequential.mixtureStandardDeviation})`;
  const lines = [
    `experiment ${analysis.name}: ${analysis.control} (control) against ${analysis.decisions.map((decision) => decision.arm).join(', ')}`,
    `method: ${options.scale} effects, ${options.alternative}, alpha ${options.alpha}, ${inference}, multiple testing ${options.multipleTesting}${options.cuped ? ', CUPED where covariates are given (theta per control-treatment pair, as gbstats)' : ''}${options.bayesian === null ? '' : ', Bayesian posteriors'}`,
    `sample ratio: ${sampleRatio.arms.map((arm, index) => `${arm} ${sampleRatio.observed[index] ?? 0}`).join(', ')}; chi-square p = ${formatP(sampleRatio.pValue)}${sampleRatio.mismatch ? '  MISMATCH' : '  ok'}`,
    `multiple exposures: ${analysis.multipleExposures.units} units${analysis.multipleExposures.flagged ? '  TOO MANY' : ''}`,
    '',
  ];
  for (const decision of analysis.decisions) {
    lines.push(`${decision.arm}: ${DECISION_WORDS[decision.decision]}`);
    for (const reason of decision.reasons) lines.push(`  - ${reason}`);
  }
  for (const metric of analysis.metrics) lines.push('', ...formatMetric(metric, analysis));
  return lines.join('\n');
}

function formatMetric(metric: MetricAnalysis, analysis: ExperimentAnalysis): string[] {
  const header = ['arm', 'segment', 'control', 'treatment', 'effect', 'interval', 'p', 'adjusted p', ''];
  const rows = [...metric.comparisons, ...metric.segments.flatMap((segment) => segment.comparisons)].map((comparison) => formatRow(comparison));
  const lines = [`metric ${metric.id} (${metric.kind}, ${metric.role}, ${metric.direction === 'increase' ? 'higher is better' : 'lower is better'})`, indent(formatTable([header, ...rows]))];
  for (const comparison of metric.comparisons) {
    if (comparison.degeneracy !== null) continue;
    const notes: string[] = [];
    if (comparison.cuped !== null) {
      const { cuped } = comparison;
      const estimator =
        comparison.effect.scale === 'relative'
          ? `relative effect as gbstats: CUPED-adjusted difference over the unadjusted control mean ${Number(cuped.unadjustedControlEstimate.toPrecision(5))}`
          : 'effect: difference of the CUPED-adjusted means';
      notes.push(`CUPED theta ${cuped.theta.toPrecision(4)}, variance reduced by ${(cuped.varianceReduction * 100).toFixed(1)}%; ${estimator}`);
    }
    if (comparison.bayesian !== null) {
      const { bayesian } = comparison;
      notes.push(
        `Bayesian: chance to beat control ${(bayesian.chanceToBeatControl * 100).toFixed(1)}%, expected loss if shipped ${formatEffect(bayesian.expectedLossOfShipping, comparison.effect.scale, false)}, credible interval ${formatEffect(bayesian.credibleInterval[0], comparison.effect.scale, true)} to ${formatEffect(bayesian.credibleInterval[1], comparison.effect.scale, true)}`,
      );
    }
    if (comparison.nonInferiority !== null) {
      notes.push(`non-inferiority at margin ${formatEffect(comparison.nonInferiority.margin, comparison.effect.scale, false)}: p = ${formatP(comparison.nonInferiority.pValue)}, ${comparison.nonInferiority.nonInferior ? 'shown' : 'not shown'}`);
    }
    for (const note of notes) lines.push(`  ${comparison.arm}: ${note}`);
  }
  for (const { arm, test } of metric.heterogeneity) {
    lines.push(`  ${arm}: effect across ${test.segments} segments ${test.pValue < analysis.options.alpha ? 'DIFFERS' : 'is consistent'} (Cochran's Q ${test.statistic.toFixed(2)}, p = ${formatP(test.pValue)}, I^2 ${(test.inconsistency * 100).toFixed(0)}%)`);
  }
  return lines;
}

function formatRow(comparison: ArmComparisonResult): string[] {
  const segment = comparison.segment ?? 'all';
  if (comparison.degeneracy !== null) return [comparison.arm, segment, '', '', '', '', '', '', `not tested: ${comparison.message}`];
  const { effect, interval } = comparison;
  return [
    comparison.arm,
    segment,
    Number(comparison.controlEstimate.toPrecision(5)).toString(),
    Number(comparison.treatmentEstimate.toPrecision(5)).toString(),
    formatEffect(effect.estimate, effect.scale, true),
    `${formatEffect(interval[0], effect.scale, true)} to ${formatEffect(interval[1], effect.scale, true)}`,
    formatP(comparison.pValue),
    formatP(comparison.adjustedPValue),
    comparison.significant ? 'significant' : '',
  ];
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
