/** `mlcycle explore NAME[@VERSION]`: the profile, a report people read, and a short summary (stage 3). */
import type { DatasetProfile } from '../explore/profile-types.js';
import { withDataContext } from './data-context.js';
import { checkOutputFile } from './output-path.js';
import type { RegisterCommands } from './program.js';

/** A few lines a person reads in the terminal. */
export function summarizeProfile(profile: DatasetProfile): string[] {
  const lines = [`${profile.ref}: ${profile.rows.toLocaleString('en-US')} rows, ${profile.columns.length} columns, profiled in ${profile.seconds.toFixed(1)} s`];
  lines.push(profile.alerts.length === 0 ? 'alerts: none' : `alerts (${profile.alerts.length}):`);
  for (const alert of profile.alerts.slice(0, 12)) lines.push(`  ${alert.kind}: ${alert.message}`);
  if (profile.alerts.length > 12) lines.push(`  ... ${profile.alerts.length - 12} more in the report`);
  if (profile.target !== undefined) {
    const top = profile.associations.slice(0, 6).map((item) => {
      const single = item.auc !== undefined ? `, AUC ${item.auc.toFixed(3)}` : item.r2 !== undefined ? `, R2 ${item.r2.toFixed(3)}` : '';
      return `${item.column} (MI ${item.mutualInformation.toFixed(4)}${single})`;
    });
    lines.push(`strongest associations with ${profile.target}: ${top.join(', ')}`);
  }
  if (profile.strawman !== undefined) lines.push(`strawman: ${profile.strawman.verdict}`);
  else if (profile.strawmanNote !== undefined) lines.push(`strawman: ${profile.strawmanNote}`);
  return lines;
}

export const registerExplore: RegisterCommands = (program, action) => {
  program
    .command('explore')
    .description('profile a dataset version: statistics, correlations, alerts, a strawman model, an HTML report')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .option('--target <column>', 'the target column (default: the spec\'s target)')
    .option('--out <file>', 'where to write the HTML report (default: .mlcycle/reports/<ref>.html)')
    .option('--compare <ref>', 'another version to show side by side')
    .option('--refresh', 'compute the profile again even if one is stored')
    .action(
      action(async (environment, positional, command) => {
        const [ref] = positional as [string];
        const options = command.opts<{ target?: string; out?: string; compare?: string; refresh?: boolean }>();
        const reportFile = options.out === undefined ? undefined : await checkOutputFile(environment.cwd, options.out, '--out');
        const { exploreDataset } = await import('../explore/explore-dataset.js');
        return withDataContext(environment, async ({ workspace, engine, spec }) => {
          const { profile, compare: other, computed, report: out } = await exploreDataset({
            workspace,
            engine,
            spec,
            ref,
            context: environment.context,
            progress: (phase) => environment.streams.stderr(`explore: ${phase}\n`),
            ...(options.compare === undefined ? {} : { compare: options.compare }),
            ...(options.target === undefined ? {} : { target: options.target }),
            ...(options.refresh === true ? { refresh: true } : {}),
            ...(reportFile === undefined ? {} : { reportFile }),
          });
          const lines = [...summarizeProfile(profile), ...(other === undefined ? [] : ['', ...summarizeProfile(other)]), '', `${computed ? 'profiled' : 'stored profile'}; report: ${out}`];
          return { text: lines.join('\n'), json: other === undefined ? { profile, report: out } : { profile, compare: other, report: out } };
        });
      }),
    );
};
