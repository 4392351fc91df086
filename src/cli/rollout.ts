/** `mlcycle rollout plan|start|status|tick|advance|pause|resume|rollback`: staged rollouts (stage 9). */
import path from 'node:path';
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { RolloutRecord } from '../store/rollout-store.js';
import type { Workspace } from '../store/workspace.js';
import { withAnalyticsEngine, workspaceSpec } from './analytics-option.js';
import type { CommandEnvironment, RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

async function readPlan(environment: CommandEnvironment, workspace: Workspace, file: string) {
  const [{ readInputText }, { parseRolloutPlan }, spec] = await Promise.all([import('../input-file.js'), import('../rollout/rollout-plan.js'), workspaceSpec(workspace)]);
  let text: string;
  try {
    text = await readInputText(path.resolve(environment.cwd, file), 'rolloutPlan', file);
  } catch (error) {
    if (error instanceof MlcycleError) throw error;
    throw new MlcycleError('not_found', `${file}: file not found`, { cause: error });
  }
  return { plan: parseRolloutPlan(text, file, spec), spec };
}


function describe(record: RolloutRecord): string {
  const plan = record.plan as { candidate: string; baseline: string; endpoint: string; steps: { name: string; share: number; segments?: Record<string, unknown[]> }[] };
  const lines = [`rollout ${record.name}: ${record.state}, ${plan.candidate} against ${plan.baseline} on ${plan.endpoint}`];
  plan.steps.forEach((step, index) => {
    const mark = index < record.step || record.state === 'completed' ? '[x]' : index === record.step ? (record.state === 'rolled-back' ? '[!]' : '[>]') : '[ ]';
    lines.push(`  ${mark} ${index + 1}. ${step.name}: ${(step.share * 100).toFixed(0)}% of ${step.segments === undefined ? 'all traffic' : Object.entries(step.segments).map(([name, values]) => `${name} in ${values.join(', ')}`).join(' and ')}`);
  });
  lines.push('  history:');
  for (const entry of record.history) lines.push(`    ${entry.at} ${entry.action} (step ${entry.fromStep + 1} -> ${entry.toStep + 1}) by ${entry.actor}: ${entry.reason}`);
  const last = [...record.history].reverse().find((entry) => Array.isArray(entry.evidence) && entry.evidence.length > 0);
  if (last !== undefined) {
    lines.push(`  gates at the last transition (${last.action}):`);
    for (const gate of last.evidence as { gate: string; status: string; detail: string }[]) lines.push(`    ${gate.status.padEnd(4)} ${gate.gate}: ${gate.detail}`);
  }
  return lines.join('\n');
}

export const registerRollout: RegisterCommands = (program, action) => {
  const rollout = program.command('rollout').description('staged rollouts of a candidate model by traffic share and segment, each step gated on the spec\'s success metrics, with automatic rollback');

  rollout
    .command('plan <file>')
    .description('check a rollout plan against the spec and show its steps')
    .action(
      action(async (environment, [file]) =>
        withWorkspace(environment, async (workspace) => {
          const { plan } = await readPlan(environment, workspace, String(file));
          const steps = plan.steps.map((step, index) => `  ${index + 1}. ${step.name}: ${(step.share * 100).toFixed(0)}%${step.segments === undefined ? '' : ` of ${JSON.stringify(step.segments)}`}, at least ${step.minMinutes} min and ${step.minUnits} units`);
          return { text: [`${String(file)}: ${plan.candidate} against ${plan.baseline} on ${plan.endpoint}, on failure ${plan.onFailure}`, ...steps].join('\n'), json: plan };
        }),
      ),
    );

  rollout
    .command('start <name>')
    .description('start a rollout at its first step (services route its units within a poll interval)')
    .requiredOption('--file <file>', 'the rollout plan (YAML)')
    .action(
      action(async (environment, [name], command: Command) =>
        withWorkspace(environment, async (workspace) => {
          const { plan, spec } = await readPlan(environment, workspace, command.opts<{ file: string }>().file);
          const { startRollout } = await import('../rollout/rollout.js');
          const record = plan.rechooseThreshold === undefined ? await startRollout(workspace, spec, String(name), plan, environment.context) : await withAnalyticsEngine((engine) => startRollout(workspace, spec, String(name), plan, environment.context, engine));
          return { text: describe(record), json: record };
        }),
      ),
    );

  rollout
    .command('status [name]')
    .description('the steps, the gates at the last transition and the decision history (every rollout without a name)')
    .action(
      action(async (environment, [name]) =>
        withWorkspace(environment, async (workspace) => {
          if (name === undefined) {
            const records = await workspace.rollouts.list();
            return { text: records.length === 0 ? 'no rollouts yet: mlcycle rollout start NAME --file ROLLOUT.yaml' : records.map(describe).join('\n\n'), json: { rollouts: records } };
          }
          const record = await workspace.rollouts.find(String(name));
          if (record === undefined) throw new MlcycleError('not_found', `no rollout "${String(name)}"`);
          return { text: describe(record), json: record };
        }),
      ),
    );

  rollout
    .command('tick [name]')
    .description('one controller step (for cron): evaluate the current step\'s gates of each running rollout and advance, wait, pause or roll back')
    .action(
      action(async (environment, [name]) =>
        withWorkspace(environment, async (workspace) => {
          const spec = await workspaceSpec(workspace);
          const { tickRollout } = await import('../rollout/rollout.js');
          const names = name === undefined ? (await workspace.rollouts.list()).filter((record) => record.state === 'running' || record.state === 'rolled-back').map((record) => record.name) : [String(name)];
          const results = await withAnalyticsEngine(async (engine) => {
            const out = [];
            for (const each of names) out.push(await tickRollout(workspace, engine, spec, each, environment.context));
            return out;
          });
          const text = results.map((result) => [`rollout ${result.rollout}: ${result.action} (step ${result.step + 1}): ${result.reason}`, ...result.gates.map((gate) => `  ${gate.status.padEnd(4)} ${gate.gate}: ${gate.detail}`)].join('\n'));
          return { text: text.length === 0 ? 'no running rollouts' : text.join('\n'), json: { results } };
        }),
      ),
    );

  for (const verb of ['advance', 'pause', 'resume', 'rollback'] as const) {
    rollout
      .command(`${verb} <name>`)
      .description(verb === 'advance' ? 'move to the next step now (gates skipped; recorded as a manual advance)' : verb === 'rollback' ? 'stop the rollout: traffic returns to the baseline and the owner is alerted' : `${verb} the controller for this rollout (traffic stays as it is)`)
      .action(
        action(async (environment, [name]) =>
          withWorkspace(environment, async (workspace) => {
            const spec = await workspaceSpec(workspace);
            const { moveRollout } = await import('../rollout/rollout.js');
            const record = await moveRollout(workspace, spec, String(name), verb, environment.context);
            return { text: describe(record), json: record };
          }),
        ),
      );
  }
};
