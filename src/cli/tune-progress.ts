/**
 * Progress of a study on stderr: a bar redrawn in place on a terminal, one line per finished trial
 * otherwise (logs and test harnesses read those).
 */
import type { Trial } from '../optimizer/trial.js';
import type { OutputStreams } from './output.js';

const WIDTH = 30;

/** Reports each finished trial; `done` ends the bar's line. */
export function progressReporter(target: number, streams: OutputStreams, tty = process.stderr.isTTY === true) {
  let drawn = false;
  return {
    trial(trial: Trial, progress: { finished: number; target: number }): void {
      const value = trial.value === undefined ? '' : ` value=${Number(trial.value.toPrecision(6))}`;
      if (!tty) {
        streams.stderr(`trial ${trial.number} ${trial.state}${value} (${progress.finished}/${target})\n`);
        return;
      }
      const filled = Math.min(WIDTH, Math.round((WIDTH * progress.finished) / target));
      streams.stderr(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${progress.finished}/${target} trials, last: trial ${trial.number} ${trial.state}${value}   `);
      drawn = true;
    },
    done(): void {
      if (drawn) streams.stderr('\n');
    },
  };
}
