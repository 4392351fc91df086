/**
 * Stage 10, maintenance: `mlcycle monitor run|add|list|drift|performance|results`, `mlcycle alerts`,
 * `mlcycle incidents list|open|ack|resolve` and `mlcycle owners`.
 */
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { ColumnDrift, DriftTest } from '../monitor/column-drift.js';
import type { Incident } from '../store/monitor-store.js';
import type { Workspace } from '../store/workspace.js';
import { withAnalyticsEngine, workspaceSpec } from './analytics-option.js';
import { parseFraction, parseList, parsePositiveInteger } from './option-parsers.js';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

const TESTS: readonly DriftTest[] = ['ks', 'chi-square', 'z-test', 'wasserstein', 'jensen-shannon', 'psi', 'kl'];
const MONITOR_NAME = /^[a-z0-9][a-z0-9._-]*$/;

interface DriftOptions {
  reference: string;
  current?: string;
  model?: string;
  since?: string;
  until?: string;
  columns?: string;
  exclude?: string;
  test?: string;
  threshold?: string;
  driftShare?: string;
}

/** The spec when it is valid, else null: monitoring runs on an incomplete spec, without owners. */
async function optionalSpec(workspace: Workspace) {
  const { loadSpec } = await import('../problem/load-spec.js');
  const check = await loadSpec(workspace.specFile);
  return check.exists && check.spec !== undefined ? check.spec : null;
}

function isoTime(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new MlcycleError('usage', `${option}: expected an ISO 8601 time such as 2026-06-01 or 2026-06-01T12:00:00Z, got "${value}"`);
  return time.toISOString();
}

function formatColumn(column: ColumnDrift): string {
  const score = column.scoreKind === 'p-value' ? `p = ${column.score.toPrecision(3)}` : `${column.score.toFixed(4)}`;
  const rule = column.scoreKind === 'p-value' ? `< ${column.threshold}` : `>= ${column.threshold}`;
  return `  ${column.drifted ? 'DRIFT' : 'ok   '} ${column.column.padEnd(18)} ${column.test.padEnd(14)} ${score.padEnd(14)} (drift ${rule}; ${column.referenceCount} vs ${column.currentCount} values)`;
}

function formatIncident(incident: Incident): string {
  const owner = incident.owner === null ? 'no owner in the spec' : `owner ${incident.owner}${incident.onCall === null ? '' : `, on call ${incident.onCall}`}`;
  return `#${incident.id} ${incident.state} ${incident.severity} (${owner}; ${incident.occurrences} occurrence${incident.occurrences === 1 ? '' : 's'}, opened ${incident.openedAt}): ${incident.title}${incident.note === null ? '' : `\n    note: ${incident.note}`}`;
}

export const registerMonitor: RegisterCommands = (program, action) => {
  const monitor = program.command('monitor').description('watch a served model: data drift against a reference, with incidents routed to the owner');

  monitor
    .command('drift <name>')
    .description("compare the current data (a dataset version, or a model's logged predictions) with a reference dataset, column by column, with Evidently's default tests")
    .requiredOption('--reference <dataset>', 'the reference dataset version (NAME or NAME@VERSION), usually the training data')
    .option('--current <dataset>', 'the current dataset version')
    .option('--model <name>', "or: the inputs of this model's logged predictions")
    .option('--since <time>', 'predictions from this time (ISO 8601)')
    .option('--until <time>', 'predictions before this time (ISO 8601)')
    .option('--columns <list>', 'columns to compare (default: every feature column both have)')
    .option('--exclude <list>', 'columns to leave out (the label, say)')
    .option('--test <test>', `one test for every column instead of the default choice: ${TESTS.join(', ')}`)
    .option('--threshold <number>', "the test's drift threshold (default: the test's own)")
    .option('--drift-share <fraction>', 'the share of drifted columns that makes the data drifted', '0.5')
    .action(
      action(async (environment, [name], command: Command) => {
        const options = command.opts<DriftOptions>();
        const monitorName = String(name);
        if (!MONITOR_NAME.test(monitorName)) throw new MlcycleError('usage', `monitor name "${monitorName}": use lower-case letters, digits, ., _ and -`);
        if ((options.current === undefined) === (options.model === undefined)) throw new MlcycleError('usage', 'give the current data as --current DATASET or --model MODEL (one of them)');
        if (options.current !== undefined && (options.since !== undefined || options.until !== undefined)) throw new MlcycleError('usage', '--since and --until select logged predictions: use them with --model');
        if (options.test !== undefined && !TESTS.includes(options.test as DriftTest)) throw new MlcycleError('usage', `--test: expected one of ${TESTS.join(', ')}, got "${options.test}"`);
        const threshold = options.threshold === undefined ? undefined : Number(options.threshold);
        if (threshold !== undefined && !(threshold > 0 && Number.isFinite(threshold))) throw new MlcycleError('usage', `--threshold: expected a positive number, got "${options.threshold}"`);
        const since = isoTime(options.since, '--since');
        const until = isoTime(options.until, '--until');
        const request = {
          reference: options.reference,
          current: options.current !== undefined ? { kind: 'dataset' as const, ref: options.current } : { kind: 'predictions' as const, model: options.model as string, ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) },
          ...(options.columns === undefined ? {} : { columns: parseList(options.columns) }),
          ...(options.exclude === undefined ? {} : { exclude: parseList(options.exclude) }),
          ...(options.test === undefined ? {} : { test: options.test as DriftTest }),
          ...(threshold === undefined ? {} : { threshold }),
          driftShare: parseFraction(options.driftShare ?? '0.5', '--drift-share'),
        };
        const { checkDrift } = await import('../monitor/check-drift.js');
        return withWorkspace(environment, async (workspace) => {
          const spec = await optionalSpec(workspace);
          const check = await withAnalyticsEngine((engine) => checkDrift(workspace, engine, spec, monitorName, request, environment.context));
          const { report } = check;
          const lines = [
            `monitor ${monitorName}: ${report.current.description} (${report.current.rows} rows) against ${report.reference.ref} (${report.reference.rows} rows)`,
            ...report.columns.map(formatColumn),
            `data drift: ${report.dataset.drifted ? 'YES' : 'no'}, ${report.dataset.driftedColumns} of ${report.columns.length} columns drifted (the data drifts at ${(report.dataset.threshold * 100).toFixed(0)}%)`,
          ];
          if (check.incident !== null) lines.push(`${check.incident.opened ? 'opened' : 'added an occurrence to'} incident ${formatIncident(check.incident.incident)}`);
          return { text: lines.join('\n'), json: { result: check.result.id, report, incident: check.incident } };
        });
      }),
    );

  monitor
    .command('performance <name>')
    .description("a served model version's performance once labels arrive: ROC AUC and the false-alarm rate against the spec's limit, overall and by segment, checked with an always-valid test")
    .requiredOption('--model <ref>', 'the model version: NAME/VERSION, NAME@ALIAS or NAME (its champion)')
    .option('--since <time>', 'predictions from this time (ISO 8601)', '1970-01-01T00:00:00Z')
    .option('--segment <name>', 'a segment of mlcycle.yaml to check the false-alarm rate in too')
    .action(
      action(async (environment, [name], command: Command) => {
        const options = command.opts<{ model: string; since: string; segment?: string }>();
        const monitorName = String(name);
        if (!MONITOR_NAME.test(monitorName)) throw new MlcycleError('usage', `monitor name "${monitorName}": use lower-case letters, digits, ., _ and -`);
        const since = isoTime(options.since, '--since') as string;
        const [{ checkPerformance }, { resolveModelUri }, { modelUriOf }] = await Promise.all([import('../monitor/check-performance.js'), import('../tracking/registry/model-uri.js'), import('../evaluate/model-inputs.js')]);
        return withWorkspace(environment, async (workspace) => {
          const spec = await optionalSpec(workspace);
          if (spec === null) throw new MlcycleError('invalid_input', 'mlcycle.yaml is missing or invalid: the performance check needs its target and value model (mlcycle spec check)');
          if (options.segment !== undefined && !spec.segments.some((segment) => segment.name === options.segment)) {
            throw new MlcycleError('usage', `--segment: "${options.segment}" is not a segment of mlcycle.yaml (segments: ${spec.segments.map((segment) => segment.name).join(', ') || 'none'})`);
          }
          // NAME/VERSION is taken as it is (a model served from a file has no registry entry); aliases resolve.
          const direct = /^(.+)\/([1-9][0-9]*)$/.exec(options.model);
          const version = direct !== null ? { model: direct[1] as string, version: Number(direct[2]) } : await resolveModelUri(workspace.registry, modelUriOf(options.model));
          const check = await withAnalyticsEngine((engine) =>
            checkPerformance(workspace, engine, spec, monitorName, { model: version.model, version: version.version, since, ...(options.segment === undefined ? {} : { segment: options.segment }) }, environment.context),
          );
          const lines = [
            `monitor ${monitorName}: models:/${version.model}/${version.version} on ${check.labelled} labelled predictions since ${since} (${check.positives} positive): ROC AUC ${check.rocAuc?.toFixed(4) ?? 'n/a'}`,
            ...(check.scoreDrift === null ? [] : [`  prediction drift: PSI ${check.scoreDrift.psi.toFixed(4)} of ${check.scoreDrift.predictions} scores against evaluation ${check.scoreDrift.evaluation} on ${check.scoreDrift.dataset}`]),
            ...check.gates.map((gate) => `  ${gate.status.padEnd(4)} ${gate.gate}: ${gate.detail}`),
            ...check.segments.map((each) => `  ${each.segment}: false-alarm rate ${((each.falseAlarms / each.negatives) * 100).toFixed(1)}% (${each.falseAlarms} of ${each.negatives})`),
          ];
          if (check.gates.length === 0) lines.push('  the spec has no valueModel.maxFalsePositiveRate: no false-alarm limit to check');
          if (check.incident !== null) lines.push(`${check.incident.opened ? 'opened' : 'added an occurrence to'} incident ${formatIncident(check.incident.incident)}`);
          return { text: lines.join('\n'), json: check };
        });
      }),
    );

  monitor
    .command('run [name]')
    .description("compute every complete window of the spec's monitors (or the named one) not yet computed: drift, prediction and label drift, data quality, performance, service health; alerts open incidents for the owner")
    .action(
      action(async (environment, [name]) => {
        const { runMonitors } = await import('../monitor/run-monitor.js');
        return withWorkspace(environment, async (workspace) => {
          const spec = await workspaceSpec(workspace);
          if (spec.monitors.length === 0) throw new MlcycleError('invalid_input', `${workspace.specFile} declares no monitors: add one under monitors: or with \`mlcycle monitor add\``);
          const runs = await withAnalyticsEngine((engine) => runMonitors(workspace, engine, spec, name === undefined ? undefined : String(name), environment.context, { now: environment.context.now() }));
          const lines: string[] = [];
          for (const run of runs) {
            if (run.windows.length === 0) lines.push(`monitor ${run.monitor}: no new window (${run.waiting ?? 'nothing to do'})`);
            for (const { report } of run.windows) {
              lines.push(`monitor ${run.monitor}: window ${report.window.index} (${report.window.start} to ${report.window.end}, ${report.window.rows} predictions) against ${report.reference.description}`);
              for (const check of report.checks) lines.push(`  ${check.status === 'alert' ? 'ALERT' : check.status === 'ok' ? 'ok   ' : 'skip '} ${check.check.padEnd(11)} ${check.summary}`);
            }
            for (const raised of run.incidents) lines.push(`${raised.opened ? 'opened' : 'added an occurrence to'} incident ${formatIncident(raised.incident)}`);
          }
          return { text: lines.join('\n'), json: runs.map((run) => ({ monitor: run.monitor, waiting: run.waiting, windows: run.windows.map((window) => ({ result: window.result.id, ...window.report })), incidents: run.incidents })) };
        });
      }),
    );

  monitor
    .command('add <name>')
    .description('declare a monitor under monitors: in mlcycle.yaml (the file keeps its comments); `mlcycle monitor run` then computes its windows')
    .requiredOption('--model <name>', "the registered model whose served predictions are watched")
    .requiredOption('--reference <ref>', 'a dataset version (NAME@VERSION, usually the training data), or a period of the logged requests: SINCE..UNTIL (ISO 8601)')
    .requiredOption('--window <size>', 'rows:N (every N predictions), hour or day')
    .option('--checks <list>', 'drift, predictions, labels, quality, performance, health (default: all)')
    .option('--thresholds <kind>', "reference (from the reference's chunk-to-chunk spread) or fixed (Evidently's defaults)", 'reference')
    .option('--columns <list>', 'the feature columns to watch (default: the reference\'s features found in the logged inputs)')
    .action(
      action(async (environment, [name], command: Command) => {
        const options = command.opts<{ model: string; reference: string; window: string; checks?: string; thresholds: string; columns?: string }>();
        const rows = /^rows:(\d+)$/.exec(options.window);
        const window = rows !== null ? { rows: Number(rows[1]) } : options.window === 'hour' || options.window === 'day' ? { every: options.window } : undefined;
        if (window === undefined) throw new MlcycleError('usage', `--window: expected rows:N, hour or day, got "${options.window}"`);
        const period = options.reference.split('..');
        const reference = period.length === 2 ? { since: isoTime(period[0], '--reference SINCE'), until: isoTime(period[1], '--reference UNTIL') } : options.reference;
        const definition = {
          name: String(name),
          model: options.model,
          reference,
          window,
          ...(options.checks === undefined ? {} : { checks: parseList(options.checks) }),
          thresholds: options.thresholds,
          ...(options.columns === undefined ? {} : { columns: parseList(options.columns) }),
        };
        const { addMonitorToSpec } = await import('../monitor/add-monitor.js');
        return withWorkspace(environment, async (workspace) => {
          const added = await addMonitorToSpec(workspace.specFile, definition);
          return { text: `added monitor ${added.name} to ${workspace.specFile}: ${added.model}'s predictions in windows of ${'rows' in added.window ? `${added.window.rows} rows` : `one ${added.window.every}`}, checks ${added.checks.join(', ')}`, json: added };
        });
      }),
    );

  monitor
    .command('list')
    .description("the spec's monitors, each with its last window")
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const spec = await workspaceSpec(workspace);
          const rows = [];
          for (const declared of spec.monitors) {
            const [last] = await workspace.monitors.listResults({ monitor: declared.name, limit: 1 });
            const window = (last?.report as { window?: { index: number; end: string } } | undefined)?.window;
            rows.push({ name: declared.name, model: declared.model, window: declared.window, checks: declared.checks, lastWindow: window ?? null, alerting: last?.alerting ?? null });
          }
          const text = rows.length === 0 ? 'no monitors declared (add one with `mlcycle monitor add`)' : rows.map((row) => `${row.name}: ${row.model}, ${'rows' in row.window ? `every ${row.window.rows} predictions` : `every ${row.window.every}`}; ${row.lastWindow === null ? 'not run yet' : `last window ${row.lastWindow.index} ended ${row.lastWindow.end}${row.alerting === true ? ', ALERTING' : ''}`}`).join('\n');
          return { text, json: rows };
        }),
      ),
    );

  monitor
    .command('profile <name>')
    .description("a monitor's windows merged into one profile per column from the profiles each window stored (counts, moments, quantiles, frequent categories), without reading a logged row")
    .option('--windows <range>', 'FROM..TO, window indices inclusive (default: every window)')
    .action(
      action(async (environment, [name], command: Command) => {
        const given = command.opts<{ windows?: string }>().windows;
        const match = given === undefined ? null : /^(\d*)\.\.(\d*)$/.exec(given);
        if (given !== undefined && match === null) throw new MlcycleError('usage', `--windows: expected FROM..TO (window indices, either may be left out), got "${given}"`);
        const range = { ...(match?.[1] ? { from: Number(match[1]) } : {}), ...(match?.[2] ? { to: Number(match[2]) } : {}) };
        const { mergeWindowProfiles } = await import('../monitor/window-profiles.js');
        return withWorkspace(environment, async (workspace) => {
          const merged = await mergeWindowProfiles(workspace.monitors, String(name), range);
          const format = (value: number | null) => (value === null ? 'n/a' : Number(value.toPrecision(5)).toString());
          const lines = [`monitor ${String(name)}: windows ${merged.windows[0]} to ${merged.windows.at(-1)} (${merged.windows.length}) merged`];
          for (const column of merged.columns) {
            if (column.kind === 'numeric') lines.push(`  ${column.column.padEnd(16)} ${column.count} values, ${column.missing} missing; mean ${format(column.mean)}, sd ${format(column.std)}; min ${format(column.min)}, p5 ${format(column.quantiles?.p5 ?? null)}, median ${format(column.quantiles?.p50 ?? null)}, p95 ${format(column.quantiles?.p95 ?? null)}, max ${format(column.max)}`);
            else lines.push(`  ${column.column.padEnd(16)} ${column.count} values, ${column.missing} missing; most frequent: ${(column.top ?? []).map((entry) => `${entry.value} ${entry.count}`).join(', ')}${column.frequentError > 0 ? ` (each count at most ${column.frequentError} low)` : ''}`);
          }
          return { text: lines.join('\n'), json: merged };
        });
      }),
    );

  monitor
    .command('report')
    .description("the monitors' windows as an offline HTML page with a chart per check over time, and the incidents (aggregates only, no logged rows)")
    .requiredOption('--out <file>', 'the HTML file to write; the same data goes to FILE.json')
    .action(
      action(async (environment, _positional, command: Command) => {
        const [{ checkOutputFile, writeOutputFile }, { monitorReportData, renderMonitorReport }] = await Promise.all([import('./output-path.js'), import('../monitor/render-monitor-report.js')]);
        const file = await checkOutputFile(environment.cwd, command.opts<{ out: string }>().out, '--out');
        return withWorkspace(environment, async (workspace) => {
          const data = monitorReportData(await workspace.monitors.listResults({ limit: 100_000 }), await workspace.monitors.listIncidents(), environment.context.now().toISOString());
          const html = await renderMonitorReport(data);
          await writeOutputFile(file, html);
          await writeOutputFile(`${file.replace(/\.html?$/i, '')}.json`, `${JSON.stringify(data, null, 2)}\n`);
          const windows = data.monitors.reduce((sum, each) => sum + each.windows.length, 0);
          return { text: `wrote ${file} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB: ${data.monitors.length} monitors, ${windows} windows, ${data.incidents.length} incidents)`, json: { file, bytes: Buffer.byteLength(html), monitors: data.monitors.length, windows } };
        });
      }),
    );

  monitor
    .command('results [name]')
    .description("the monitors' checks, newest first")
    .option('--limit <n>', 'at most this many', '20')
    .action(
      action(async (environment, [name], command: Command) => {
        const limit = parsePositiveInteger(command.opts<{ limit: string }>().limit, '--limit');
        return withWorkspace(environment, async (workspace) => {
          const results = await workspace.monitors.listResults({ ...(name === undefined ? {} : { monitor: String(name) }), limit });
          const text = results.length === 0 ? 'no monitor has run yet' : results
                  .map((result) => {
                    const window = (result.report as { window?: { index: number; rows: number } }).window;
                    return `${result.at} ${result.monitor}: ${window === undefined ? '' : `window ${window.index} (${window.rows} predictions) `}${result.alerting ? 'ALERT' : 'ok'} (result ${result.id})`;
                  })
                  .join('\n');
          return { text, json: results };
        });
      }),
    );

  const incidents = program.command('incidents').description('incidents opened by monitors or by hand: list, open, acknowledge, resolve');
  incidents
    .command('list')
    .description('unresolved incidents (all with --all)')
    .option('--all', 'resolved ones too')
    .action(
      action(async (environment, _positional, command: Command) =>
        withWorkspace(environment, async (workspace) => {
          const list = await workspace.monitors.listIncidents(command.opts<{ all?: boolean }>().all === true ? undefined : ['open', 'acknowledged']);
          return { text: list.length === 0 ? 'no incidents' : list.map(formatIncident).join('\n'), json: list };
        }),
      ),
    );
  incidents
    .command('open')
    .description('open an incident by hand (a bug report, an outage seen elsewhere)')
    .requiredOption('--title <text>', 'what is wrong')
    .option('--severity <level>', 'warning or critical', 'warning')
    .action(
      action(async (environment, _positional, command: Command) => {
        const { title, severity } = command.opts<{ title: string; severity: string }>();
        if (severity !== 'warning' && severity !== 'critical') throw new MlcycleError('usage', `--severity: expected warning or critical, got "${severity}"`);
        if (title.trim() === '') throw new MlcycleError('usage', '--title: must not be empty');
        return withWorkspace(environment, async (workspace) => {
          const spec = await optionalSpec(workspace);
          const owner = spec?.owners.model ?? spec?.owners.monitor;
          const key = `manual:${environment.context.now().toISOString()}:${title}`;
          const { incident } = await workspace.monitors.raiseIncident({ source: 'manual', dedupeKey: key, title, severity, owner: owner?.owner ?? null, onCall: owner?.onCall ?? null }, environment.context);
          return { text: `opened incident ${formatIncident(incident)}`, json: incident };
        });
      }),
    );
  for (const [verb, state] of [['ack', 'acknowledged'], ['resolve', 'resolved']] as const) {
    incidents
      .command(`${verb} <id>`)
      .description(verb === 'ack' ? 'acknowledge an incident: someone is on it' : 'resolve an incident')
      .option('--note <text>', 'what was done')
      .action(
        action(async (environment, [id], command: Command) => {
          const number = parsePositiveInteger(String(id), 'incident id');
          return withWorkspace(environment, async (workspace) => {
            const incident = await workspace.monitors.transitionIncident(number, state, command.opts<{ note?: string }>().note ?? null, environment.context);
            return { text: formatIncident(incident), json: incident };
          });
        }),
      );
  }

  program
    .command('alerts')
    .description("the monitors' alerts, newest first: each failing check of a window, with the incident it went to")
    .option('--limit <n>', 'at most this many windows', '50')
    .action(
      action(async (environment, _positional, command: Command) => {
        const limit = parsePositiveInteger(command.opts<{ limit: string }>().limit, '--limit');
        return withWorkspace(environment, async (workspace) => {
          const results = (await workspace.monitors.listResults({ limit })).filter((result) => result.alerting);
          const incidents = await workspace.monitors.listIncidents();
          const alerts = results.flatMap((result) => {
            const report = result.report as { window?: { index: number; start: string; end: string }; checks?: { check: string; status: string; severity: string; summary: string }[]; kind?: string };
            const checks = report.checks?.filter((check) => check.status === 'alert') ?? [{ check: report.kind ?? 'drift', severity: 'warning', summary: 'see mlcycle monitor results' }];
            return checks.map((check) => {
              const incident = incidents.find((each) => each.dedupeKey === `monitor:${result.monitor}:${check.check}`) ?? incidents.find((each) => each.source === `monitor:${result.monitor}`);
              return { at: result.at, monitor: result.monitor, window: report.window ?? null, check: check.check, severity: check.severity, summary: check.summary, incident: incident === undefined ? null : { id: incident.id, state: incident.state, owner: incident.owner } };
            });
          });
          const text = alerts.length === 0 ? 'no alerts' : alerts.map((alert) => `${alert.at} ${alert.severity.padEnd(8)} ${alert.monitor} ${alert.check}${alert.window === null ? '' : ` window ${alert.window.index}`}: ${alert.summary}${alert.incident === null ? '' : ` (incident #${alert.incident.id} ${alert.incident.state}${alert.incident.owner === null ? '' : `, owner ${alert.incident.owner}`})`}`).join('\n');
          return { text, json: alerts };
        });
      }),
    );

  program
    .command('owners')
    .description("each component's owner and on-call contact from mlcycle.yaml; components without one are flagged")
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const spec = await optionalSpec(workspace);
          if (spec === null) throw new MlcycleError('invalid_input', `${workspace.specFile} is missing or invalid: \`mlcycle spec check\` shows why`);
          const { COMPONENTS: components } = await import('../problem/spec-schema.js');
          const rows = components.map((component) => ({ component, owner: spec.owners[component]?.owner ?? null, onCall: spec.owners[component]?.onCall ?? null }));
          const text = rows.map((row) => `${row.component.padEnd(9)} ${row.owner === null ? 'NO OWNER (add owners.' + row.component + ' to mlcycle.yaml)' : `${row.owner}, on call ${row.onCall}`}`).join('\n');
          return { text, json: rows };
        }),
      ),
    );
};
