import { describe, expect, it } from 'vitest';
import { listenForInterrupt, untilStopped } from './interrupt.js';

describe('interrupt handling', () => {
  it('aborts the job on the first Ctrl-C, says so once, and stops listening when disposed', () => {
    const before = process.listenerCount('SIGINT');
    const notices: string[] = [];
    const interrupt = listenForInterrupt(() => notices.push('stopping'));
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(interrupt.signal.aborted).toBe(false);
    process.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(notices).toEqual(['stopping']);
    interrupt.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('lets a service run until SIGTERM, then removes its listeners', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const stopped = untilStopped();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual([(before[0] as number) + 1, (before[1] as number) + 1]);
    process.emit('SIGTERM');
    await stopped;
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });
});
