// Online experiments (A/B tests): the list, and an experiment's latest analysis as GrowthBook's results page
// reads: the decision in words per arm, health checks (sample ratio, multiple exposures), then per metric
// each arm against control with its effect and interval drawn on one axis.
import type { ArmComparison, ArmComparisonResult, ExperimentAnalysis, MetricAnalysis } from '../../../src/experiment/analyze-experiment.js';
import { api, useLoad } from '../api.js';
import { Link } from '../router.js';
import { Badge, formatNumber, formatPercent, formatTime, Show } from '../view.js';

const DECISION_WORDS: Record<string, string> = { ship: 'Ship', 'dont-ship': "Don't ship", 'keep-running': 'Keep running', investigate: 'Investigate' };

export function ExperimentsPage() {
  const [list] = useLoad(() => api().listOnlineExperiments(), 'online-experiments');
  return (
    <section>
      <h1>Online experiments</h1>
      <Show loaded={list}>
        {(experiments) =>
          experiments.length === 0 ? (
            <p className="muted">No online experiments. Create one with `mlcycle experiment create`.</p>
          ) : (
            <table className="experiments">
              <thead>
                <tr>
                  <th>Experiment</th>
                  <th>State</th>
                  <th>Phase</th>
                  <th>Created</th>
                  <th>By</th>
                </tr>
              </thead>
              <tbody>
                {experiments.map((experiment) => (
                  <tr key={experiment.name} data-experiment={experiment.name}>
                    <td>
                      <Link to={`/experiments/${encodeURIComponent(experiment.name)}`}>{experiment.name}</Link>
                    </td>
                    <td>
                      <Badge kind={experiment.state}>{experiment.state}</Badge>
                    </td>
                    <td className="num">{experiment.phase}</td>
                    <td className="nowrap">{formatTime(experiment.createdAt)}</td>
                    <td>{experiment.createdBy}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

export function ExperimentPage({ name }: { name: string }) {
  const [loaded] = useLoad(() => api().getOnlineExperiment(name), name);
  return (
    <section>
      <p className="crumbs">
        <Link to="/experiments">Experiments</Link> /
      </p>
      <Show loaded={loaded}>
        {({ experiment, latestAnalysis }) => {
          const result = latestAnalysis?.result as { exposedUnits?: number; analysis?: ExperimentAnalysis } | undefined;
          return (
            <>
              <h1>
                {experiment.name} <Badge kind={experiment.state}>{experiment.state}</Badge>
              </h1>
              {latestAnalysis === null || result?.analysis === undefined ? (
                <p className="muted">Not analysed yet: run `mlcycle experiment analyze {experiment.name}`.</p>
              ) : (
                <>
                  <p className="muted">
                    Phase {latestAnalysis.phase} · analysed {formatTime(latestAnalysis.createdAt)} by {latestAnalysis.createdBy}
                    {result.exposedUnits === undefined ? '' : ` · ${result.exposedUnits.toLocaleString('en-US')} units exposed`}
                  </p>
                  <Results analysis={result.analysis} />
                </>
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}

function Results({ analysis }: { analysis: ExperimentAnalysis }) {
  const { sampleRatio, multipleExposures } = analysis;
  return (
    <>
      <div className="decisions">
        {analysis.decisions.map((decision) => (
          <div key={decision.arm} className={`decision decision-${decision.decision}`} data-arm={decision.arm} data-decision={decision.decision}>
            <h2>
              {decision.arm}: {DECISION_WORDS[decision.decision] ?? decision.decision}
            </h2>
            <ul>
              {decision.reasons.map((reason, index) => (
                <li key={index}>{reason}</li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      <h2>Health</h2>
      <ul className="health">
        <li className={sampleRatio.mismatch ? 'bad' : 'good'} data-check="srm">
          Sample ratio: {sampleRatio.arms.map((arm, index) => `${arm} ${(sampleRatio.observed[index] ?? 0).toLocaleString('en-US')}`).join(' / ')} · p = {formatNumber(sampleRatio.pValue)}{' '}
          {sampleRatio.mismatch ? '— mismatch: the split is not as planned' : '— as planned'}
        </li>
        <li className={multipleExposures.flagged ? 'bad' : 'good'} data-check="multiple-exposures">
          Units in more than one arm: {multipleExposures.units.toLocaleString('en-US')} ({formatPercent(multipleExposures.share, 2)})
        </li>
      </ul>
      {analysis.metrics.map((metric) => (
        <MetricResults key={metric.id} metric={metric} control={analysis.control} />
      ))}
    </>
  );
}

function isComparison(result: ArmComparisonResult): result is ArmComparison {
  return result.degeneracy === null;
}

function formatEffect(value: number, scale: string): string {
  return scale === 'relative' ? `${value > 0 ? '+' : ''}${formatPercent(value)}` : `${value > 0 ? '+' : ''}${formatNumber(value)}`;
}

function MetricResults({ metric, control }: { metric: MetricAnalysis; control: string }) {
  const comparisons = metric.comparisons.filter(isComparison);
  // One axis for every arm of the metric, symmetric around zero.
  const reach = Math.max(1e-12, ...comparisons.flatMap((comparison) => [Math.abs(comparison.interval[0]), Math.abs(comparison.interval[1])]).filter(Number.isFinite));
  return (
    <div className="metric" data-metric={metric.id}>
      <h3>
        {metric.id} <span className="muted">({metric.role}, {metric.direction === 'decrease' ? 'lower is better' : 'higher is better'})</span>
      </h3>
      <table className="results overall">
        <thead>
          <tr>
            <th>Arm</th>
            <th className="num">Units</th>
            <th className="num">Control</th>
            <th className="num">Arm</th>
            <th className="num">Effect</th>
            <th>Interval</th>
            <th className="num">p</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {metric.comparisons.map((comparison) =>
            isComparison(comparison) ? (
              <tr key={comparison.arm} data-arm={comparison.arm}>
                <td>{comparison.arm}</td>
                <td className="num">
                  {comparison.controlUnits.toLocaleString('en-US')} / {comparison.treatmentUnits.toLocaleString('en-US')}
                </td>
                <td className="num">{formatNumber(comparison.controlEstimate)}</td>
                <td className="num">{formatNumber(comparison.treatmentEstimate)}</td>
                <td className="num effect">{formatEffect(comparison.effect.estimate, comparison.effect.scale)}</td>
                <td>
                  <IntervalBar comparison={comparison} reach={reach} good={metric.direction === 'decrease' ? -1 : 1} />
                  <span className="muted interval">
                    [{formatEffect(comparison.interval[0], comparison.effect.scale)}, {formatEffect(comparison.interval[1], comparison.effect.scale)}]
                  </span>
                </td>
                <td className="num">{formatNumber(comparison.adjustedPValue)}</td>
                <td>{verdict(comparison, metric.direction === 'decrease' ? -1 : 1)}</td>
              </tr>
            ) : (
              <tr key={comparison.arm}>
                <td>{comparison.arm}</td>
                <td colSpan={7} className="muted">
                  {comparison.message}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      {metric.segments.length === 0 ? null : (
        <details className="segments" data-metric-segments={metric.id}>
          <summary>By segment ({metric.segments.length})</summary>
          <table className="results">
            <thead>
              <tr>
                <th>Segment</th>
                <th>Arm</th>
                <th className="num">Units</th>
                <th className="num">Effect</th>
                <th>Interval</th>
                <th className="num">p</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {metric.segments.flatMap(({ segment, comparisons: inSegment }) =>
                inSegment.map((comparison) =>
                  isComparison(comparison) ? (
                    <tr key={`${segment}/${comparison.arm}`} data-segment={segment} data-arm={comparison.arm}>
                      <td>{segment}</td>
                      <td>{comparison.arm}</td>
                      <td className="num">
                        {comparison.controlUnits.toLocaleString('en-US')} / {comparison.treatmentUnits.toLocaleString('en-US')}
                      </td>
                      <td className="num effect">{formatEffect(comparison.effect.estimate, comparison.effect.scale)}</td>
                      <td>
                        <span className="muted interval">
                          [{formatEffect(comparison.interval[0], comparison.effect.scale)}, {formatEffect(comparison.interval[1], comparison.effect.scale)}]
                        </span>
                      </td>
                      <td className="num">{formatNumber(comparison.adjustedPValue)}</td>
                      <td>{verdict(comparison, metric.direction === 'decrease' ? -1 : 1)}</td>
                    </tr>
                  ) : (
                    <tr key={`${segment}/${comparison.arm}`} data-segment={segment}>
                      <td>{segment}</td>
                      <td>{comparison.arm}</td>
                      <td colSpan={5} className="muted">
                        {comparison.message}
                      </td>
                    </tr>
                  ),
                ),
              )}
            </tbody>
          </table>
        </details>
      )}
      <p className="muted small">
        Effect of each arm against {control}, with its {metric.comparisons.some((c) => isComparison(c) && c.inference !== 'fixed-horizon') ? 'always-valid (sequential)' : ''} interval.
      </p>
    </div>
  );
}

function verdict(comparison: ArmComparison, good: number) {
  if (!comparison.significant) return <Badge kind="neutral">not significant</Badge>;
  return comparison.effect.estimate * good > 0 ? <Badge kind="won">better</Badge> : <Badge kind="lost">worse</Badge>;
}

/** The interval as a bar on an axis around zero, green when it lies on the good side, red on the bad side. */
function IntervalBar({ comparison, reach, good }: { comparison: ArmComparison; reach: number; good: number }) {
  const width = 160;
  const x = (value: number) => width / 2 + (Math.max(-reach, Math.min(reach, value)) / reach) * (width / 2 - 4);
  const [low, high] = comparison.interval;
  // Good only when the whole interval lies on the good side of zero, bad only when it all lies on the other.
  const side = Math.min(low * good, high * good) > 0 ? 'good' : Math.max(low * good, high * good) < 0 ? 'bad' : 'unclear';
  return (
    <svg className={`interval-bar ${side}`} width={width} height={18} role="img" aria-label={`interval ${low} to ${high}`}>
      <line x1={width / 2} x2={width / 2} y1={0} y2={18} className="zero" />
      <rect x={x(Number.isFinite(low) ? low : -reach)} width={Math.max(2, x(Number.isFinite(high) ? high : reach) - x(Number.isFinite(low) ? low : -reach))} y={5} height={8} rx={3} />
      <circle cx={x(comparison.effect.estimate)} cy={9} r={3.5} />
    </svg>
  );
}
