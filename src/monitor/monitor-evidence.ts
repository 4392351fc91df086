/**
 * Evidence for stage 10, maintenance: each monitor's latest window (or check), the monitored models' last
 * retraining and their live ROC AUC beside the offline one, and the incidents. Needs attention while an
 * incident is open or acknowledged (the next step points back to data gathering and development when
 * drift is confirmed); done once monitors have run with every incident resolved.
 */
import type { StageEvidenceSource } from '../problem/board.js';
import type { WindowReport } from './run-monitor.js';

/** Incidents listed one by one on the board; the rest are counted. */
const LISTED_INCIDENTS = 3;

export const monitorEvidence: StageEvidenceSource = {
  stage: 'maintenance',
  async assess({ workspace, spec }) {
    const results = await workspace.monitors.listResults({ limit: 200 });
    const incidents = await workspace.monitors.listIncidents();
    const declared = spec.exists && spec.spec !== undefined ? spec.spec.monitors : [];
    if (results.length === 0 && incidents.length === 0) {
      return {
        state: 'not-started',
        evidence: declared.map((monitor) => `monitor ${monitor.name} declared, not run yet`),
        nextStep: declared.length === 0 ? 'watch the served model: `mlcycle monitor add NAME --model MODEL --reference DATASET --window rows:5000`, then `mlcycle monitor run`' : 'compute the monitors\' windows: `mlcycle monitor run` (or let `mlcycle server` schedule them)',
      };
    }
    const latest = new Map<string, (typeof results)[number]>();
    for (const result of results) if (!latest.has(result.monitor)) latest.set(result.monitor, result);
    const evidence: string[] = [];
    for (const result of latest.values()) {
      const report = result.report as Partial<WindowReport>;
      if (report.kind === 'window' && report.window !== undefined) {
        const alerts = (report.checks ?? []).filter((check) => check.status === 'alert').map((check) => check.check);
        evidence.push(`monitor ${result.monitor}: window ${report.window.index} (${report.window.rows} predictions, ended ${report.window.end}): ${alerts.length === 0 ? 'every check ok' : `alerts: ${alerts.join(', ')}`}`);
      } else evidence.push(`monitor ${result.monitor}: last checked ${result.at}, ${result.alerting ? 'found what it watches for' : 'nothing found'}`);
    }
    // Each monitored model: when its newest version was registered, and its live ROC AUC beside the offline one.
    for (const model of new Set(declared.map((monitor) => monitor.model))) {
      const versions = await workspace.registry.listVersions(model).catch(() => []);
      const newest = versions.reduce<(typeof versions)[number] | undefined>((best, version) => (best === undefined || version.version > best.version ? version : best), undefined);
      const performance = declared
        .filter((monitor) => monitor.model === model)
        .map((monitor) => (latest.get(monitor.name)?.report as Partial<WindowReport> | undefined)?.performance)
        .find((each) => each !== undefined && each !== null);
      const live = performance === undefined || performance === null || performance.rocAuc === null ? 'no labelled window yet' : `live ROC AUC ${performance.rocAuc.toFixed(4)} on ${performance.labelled} labels against ${performance.offlineRocAuc?.toFixed(4) ?? 'no'} offline (version ${performance.version})`;
      evidence.push(`${model}: ${newest === undefined ? 'no registered version' : `last retrained: version ${newest.version} registered ${newest.createdAt}`}; ${live}`);
    }
    const unresolved = incidents.filter((incident) => incident.state !== 'resolved');
    evidence.push(...unresolved.slice(0, LISTED_INCIDENTS).map((incident) => `incident ${incident.id} (${incident.severity}, ${incident.state}${incident.owner === null ? ', no owner' : `, owner ${incident.owner}`}, ${incident.occurrences}x): ${incident.title}`));
    if (unresolved.length > LISTED_INCIDENTS) evidence.push(`and ${unresolved.length - LISTED_INCIDENTS} more unresolved incidents (\`mlcycle incidents list\`)`);
    if (unresolved.length > 0) {
      const first = unresolved.at(-1);
      const drift = unresolved.some((incident) => /:(drift|labels|predictions)$/.test(incident.dedupeKey));
      const advice = drift ? 'look at the drift, gather fresh data and retrain (`mlcycle data add`, `mlcycle train`, then `mlcycle evaluate` against the champion)' : 'look at the alert and fix its cause';
      return { state: 'needs-attention', evidence, nextStep: `incident ${first?.id} is ${first?.state}: ${advice}, then \`mlcycle incidents resolve ${first?.id}\`` };
    }
    return { state: 'done', evidence, nextStep: 'keep the monitors running (`mlcycle server` schedules them; `mlcycle monitor run` by hand)' };
  },
};
