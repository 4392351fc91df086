/** `mlcycle stats ...`: the A/B statistics engine on sufficient statistics from a file (stage 8). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MlcycleError } from '../error.js';
import { analyzeExperiment } from '../experiment/analyze-experiment.js';
import { parseAnalysisInput } from '../experiment/parse-analysis-input.js';
import { formatAnalysis } from './format-analysis.js';
import type { RegisterCommands } from './program.js';

export const registerStats: RegisterCommands = (program, action) => {
  const stats = program.command('stats').description('A/B statistics on sufficient statistics (counts, sums, sums of squares)');
  stats
    .command('analyze')
    .description('analyse an experiment given as JSON (arms, metrics, segments, covariates, options; see the README)')
    .argument('<file>', 'the experiment\'s sufficient statistics as JSON')
    .action(
      action(async (environment, positional) => {
        const [file] = positional as [string];
        let text: string;
        try {
          text = await readFile(path.resolve(environment.cwd, file), 'utf8');
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new MlcycleError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `${file}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`, { cause: error });
        }
        const analysis = analyzeExperiment(parseAnalysisInput(text, file));
        return { text: formatAnalysis(analysis), json: analysis };
      }),
    );
};
