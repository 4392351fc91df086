/** `mlcycle stats ...`: the A/B statistics engine on sufficient statistics from a file (stage 8). */
import path from 'node:path';
import { MlcycleError } from '../error.js';
import { resolveRoot } from './workspace-option.js';
import { formatAnalysis } from './format-analysis.js';
import type { RegisterCommands } from './program.js';

export const registerStats: RegisterCommands = (program, action) => {
  const stats = program.command('stats').description('A/B statistics on sufficient statistics (counts, sums, sums of squares)');
  stats
    .command('analyze')
    .description('analyse an experiment given as JSON (arms, metrics, segments, covariates, options; see the README)')
    .argument('<file>', 'the experiment\'s sufficient statistics as JSON')
    .option('--no-spec', 'ignore the workspace\'s mlcycle.yaml (by default its success metrics fill in roles, directions, margins and minimum effects the file leaves out)')
    .action(
      action(async (environment, positional, command) => {
        const [file] = positional as [string];
        const useSpec = command.opts<{ spec: boolean }>().spec;
        let text: string;
        try {
          const { readInputText } = await import('../input-file.js');
          text = await readInputText(path.resolve(environment.cwd, file), 'analysisInput', file);
        } catch (error) {
          if (error instanceof MlcycleError) throw error;
          const code = (error as NodeJS.ErrnoException).code;
          throw new MlcycleError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `${file}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`, { cause: error });
        }
        const [{ analyzeExperiment }, { parseAnalysisInputWithSpec }, { loadSpec, requireValidSpec, SPEC_FILE_NAME }] = await Promise.all([
          import('../experiment/analyze-experiment.js'),
          import('../experiment/parse-analysis-input.js'),
          import('../problem/load-spec.js'),
        ]);
        const specFile = path.join(await resolveRoot(environment), SPEC_FILE_NAME);
        const specCheck = useSpec ? await loadSpec(specFile) : undefined;
        const spec = specCheck?.exists === true ? requireValidSpec(specCheck) : undefined;
        const { input, fromSpec } = parseAnalysisInputWithSpec(text, file, spec);
        const analysis = analyzeExperiment(input);
        const specNote = fromSpec.length === 0 ? [] : [`from ${specFile}: ${fromSpec.map(({ id, fields }) => `${id} (${fields.join(', ')})`).join('; ')}`, ''];
        return { text: [...specNote, formatAnalysis(analysis)].join('\n'), json: { ...analysis, fromSpec: fromSpec.length === 0 ? null : { file: specFile, metrics: fromSpec } } };
      }),
    );
};
