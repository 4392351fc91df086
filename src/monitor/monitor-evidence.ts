/**
 * Evidence for stage 10, maintenance: the monitors' latest checks and the incidents. Needs attention while
 * an incident is open or acknowledged (the next step points back to data gathering and development when
 * drift is confirmed); done once monitors have run with every incident resolved.
 */
import type { StageEvidenceSource } from '../problem/board.js';

export const monitorEvidence: StageEvidenceSource = {
  stage: 'maintenance',
  async assess({ workspace }) {
    const results = await workspace.monitors.listResults({ limit: 200 });
    const incidents = await workspace.monitors.listIncidents();
    if (results.length === 0 && incidents.length === 0) {
      return { state: 'not-started', evidence: [], nextStep: 'watch the served model: `mlcycle monitor drift NAME --reference DATASET --model MODEL`' };
    }
    const latest = new Map<string, (typeof results)[number]>();
    for (const result of results) if (!latest.has(result.monitor)) latest.set(result.monitor, result);
    const evidence = [...latest.values()].map((result) => `monitor ${result.monitor}: last checked ${result.at}, ${result.alerting ? 'drift found' : 'no drift'}`);
    const unresolved = incidents.filter((incident) => incident.state !== 'resolved');
    evidence.push(...unresolved.map((incident) => `incident ${incident.id} (${incident.severity}, ${incident.state}${incident.owner === null ? ', no owner' : `, owner ${incident.owner}`}): ${incident.title}`));
    if (unresolved.length > 0) {
      const first = unresolved.at(-1);
      return { state: 'needs-attention', evidence, nextStep: `incident ${first?.id} is ${first?.state}: look at the drift, gather fresh data and retrain (\`mlcycle data add\`, \`mlcycle train\`), then \`mlcycle incidents resolve ${first?.id}\`` };
    }
    return { state: 'done', evidence, nextStep: 'keep the monitors running (`mlcycle monitor drift` from cron or the server)' };
  },
};
