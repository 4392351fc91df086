/**
 * A background loop of the server (the rollout controller, the monitor scheduler): one tick every interval,
 * never two at once (a tick asked for while one runs shares it), a failed tick logged under the loop's
 * name and the next one tried as usual; stopping waits for the running tick.
 */
export interface TickLoop {
  /** Runs one tick now (or joins the running one); resolves when it is done. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startTickLoop(name: string, tick: () => Promise<void>, intervalMs: number, log: (line: string) => void): TickLoop {
  let running: Promise<void> | undefined;
  const once = (): Promise<void> => {
    running ??= tick()
      .catch((error: unknown) => log(`${name}: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void once(), intervalMs);
  timer.unref();
  return {
    tick: once,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
