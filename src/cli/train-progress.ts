/** The progress `mlcycle train` draws on a terminal: one line per step, a bar for boosting rounds. */
import type { PipelineEvent } from '../train/pipeline/pipeline-types.js';

const WIDTH = 30;

/** Writes the event's part of the progress display. */
export function drawProgress(event: PipelineEvent, write: (text: string) => void): void {
  if (event.kind === 'step-start') {
    write(`${event.step}${event.cached ? ' (cached)' : ''}...\n`);
  } else if (event.kind === 'round' && event.rounds > 0) {
    const filled = Math.min(WIDTH, Math.round((event.round / event.rounds) * WIDTH));
    const metrics = Object.entries(event.metrics).map(([name, value]) => `${name} ${value.toFixed(4)}`).join('  ');
    write(`\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] round ${event.round}/${event.rounds}  ${metrics}\u001b[K`);
    if (event.round >= event.rounds) write('\n');
  } else if (event.kind === 'step-end' && event.step === 'train') {
    write('\r\u001b[K');
  }
}
