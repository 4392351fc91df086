// Metric charts: Vega-Lite specs drawn by Vega in the browser. Both libraries load on first use (their own
// chunk), so pages without charts stay small. The histories arrive downsampled by the server.
import { useEffect, useRef, useState } from 'react';
import type { ApiMetricHistory } from '../../src/server/api/api-types.js';

export interface Series {
  label: string;
  history: ApiMetricHistory;
}

/** The points of several series in Vega-Lite's long format; non-finite values are left out of the line. */
function rows(series: readonly Series[]): { run: string; step: number; value: number }[] {
  const out: { run: string; step: number; value: number }[] = [];
  for (const { label, history } of series) {
    history.steps.forEach((step, index) => {
      const value = history.values[index];
      if (typeof value === 'number') out.push({ run: label, step, value });
    });
  }
  return out;
}

/**
 * Draws a Vega-Lite spec (compiled in the browser, Vega and Vega-Lite loaded on first use) into the returned
 * container, again whenever `key` changes; says when it is drawn, or why it could not be.
 */
function useVegaLite(spec: () => Record<string, unknown>, key: string) {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | undefined>();
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    let live = true;
    let finalize: (() => void) | undefined;
    const draw = async () => {
      const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
      const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', autosize: { type: 'fit-x', contains: 'padding' }, ...spec() } as Parameters<typeof vegaLite.compile>[0]).spec;
      if (!live || container.current === null) return;
      const view = new vega.View(vega.parse(compiled), { renderer: 'svg', container: container.current, hover: true });
      finalize = () => view.finalize();
      await view.runAsync();
      if (live) setDrawn(true);
    };
    draw().catch((thrown: unknown) => live && setError(thrown instanceof Error ? thrown.message : String(thrown)));
    return () => {
      live = false;
      finalize?.();
    };
    // `spec` is a new closure each render; `key` says when its inputs changed.
  }, [key]);
  return { container, error, drawn };
}

export function MetricChart({ metric, series }: { metric: string; series: readonly Series[] }) {
  const { container, error, drawn } = useVegaLite(() => {
    const values = rows(series);
    const single = series.length === 1;
    return {
      height: 240,
      data: { values },
      mark: { type: 'line', interpolate: 'linear', point: values.length <= 60 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
        ...(single ? {} : { color: { field: 'run', type: 'nominal', title: 'run' } }),
        tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'value', format: '.4~g' }],
      },
    };
  }, `${metric}:${JSON.stringify(series)}`);
  const total = series.reduce((sum, { history }) => sum + history.totalPoints, 0);
  const shown = series.reduce((sum, { history }) => sum + history.steps.length, 0);
  return (
    <figure className="chart" data-metric={metric} data-drawn={drawn ? 'yes' : 'no'}>
      <figcaption>
        {metric}
        <span className="muted">
          {' '}
          · {shown.toLocaleString('en-US')} of {total.toLocaleString('en-US')} points
        </span>
      </figcaption>
      {error === undefined ? <div ref={container} className="chart-body" /> : <div className="error">{error}</div>}
    </figure>
  );
}

/** Any Vega-Lite spec (its data inline), drawn the same way: for the pages whose charts are not metric histories. */
export function SpecChart({ name, caption, spec }: { name: string; caption: string; spec: Record<string, unknown> }) {
  const { container, error, drawn } = useVegaLite(() => ({ height: 220, ...spec }), JSON.stringify(spec));
  return (
    <figure className="chart" data-chart={name} data-drawn={drawn ? 'yes' : 'no'}>
      <figcaption>{caption}</figcaption>
      {error === undefined ? <div ref={container} className="chart-body" /> : <div className="error">{error}</div>}
    </figure>
  );
}
