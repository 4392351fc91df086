/**
 * Signals for the long-running commands, handled in one place. A job command (train, tune) winds down on
 * the first Ctrl-C (SIGINT) and exits with 130, the shell's code for an interrupt (128 + SIGINT's 2); a
 * second Ctrl-C quits at once. A service command (server, worker) runs until SIGINT or SIGTERM.
 */

/** The exit code of a command stopped by Ctrl-C. */
export const INTERRUPTED_EXIT_CODE = 130;

/** A Ctrl-C listener for one job; dispose it when the job ends. */
export interface Interrupt {
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
  dispose(): void;
}

/** Listens for Ctrl-C during a job: the first aborts `signal` (after printing `notice`, if given), the second exits 130. */
export function listenForInterrupt(notice?: () => void): Interrupt {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    notice?.();
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => void process.off('SIGINT', onSigint) };
}

/** Resolves when the process is asked to stop (SIGINT or SIGTERM), for commands that serve until then. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
