/**
 * One holder per background loop across servers: a loop (the rollout controller, webhook delivery, the
 * monitor scheduler) asks its gate before every tick, and runs the tick only while its server holds the
 * loop's lease in the shared metadata database. The gate also renews the lease on a heartbeat of a third
 * of its length, so a holder whose loop ticks less often than the lease lasts (a rollout controller
 * every minute, a lease of 15 s) keeps it between ticks, and a long tick is not taken over while it
 * runs. A holder that dies stops renewing; another server's gate takes the lease once it has expired,
 * at its next heartbeat or tick. Stopping the gate gives the lease up at once.
 */

/** The lease operations a gate needs (`LeaseStore` in store/lease-store.ts has them). */
export interface Leases {
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

export interface LeaseGateOptions {
  /** The lease's name: one per loop, the same on every server. */
  name: string;
  /** This server's holder id (unique per process). */
  holder: string;
  ttlMs: number;
  /** Told when this server takes the lease or loses it. */
  onChange?: (held: boolean) => void;
  /** Told when the database could not be asked (the gate then counts the lease as not held). */
  onError?: (error: unknown) => void;
}

export class LeaseGate {
  private held = false;
  private stopped = false;
  private asking: Promise<boolean> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly leases: Leases,
    private readonly options: LeaseGateOptions,
  ) {
    if (!(options.ttlMs >= 300)) throw new RangeError(`lease ${options.name}: a lease must last at least 300 ms, got ${options.ttlMs}`);
    this.timer = setInterval(() => void this.mayRun(), Math.floor(options.ttlMs / 3));
    this.timer.unref();
  }

  /** Takes or renews the lease; true when this server holds it and may run a tick now. */
  mayRun(): Promise<boolean> {
    // One question at a time: a heartbeat and a tick asking together share the answer.
    this.asking ??= this.ask().finally(() => (this.asking = undefined));
    return this.asking;
  }

  private async ask(): Promise<boolean> {
    if (this.stopped) return false;
    let held: boolean;
    try {
      held = await this.leases.acquire(this.options.name, this.options.holder, this.options.ttlMs);
    } catch (error) {
      this.options.onError?.(error);
      held = false;
    }
    if (this.stopped) return false;
    if (held !== this.held) {
      this.held = held;
      this.options.onChange?.(held);
    }
    return held;
  }

  /** Whether this server held the lease when last asked. */
  get holds(): boolean {
    return this.held;
  }

  /** Stops renewing and gives the lease up, so another server need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // A renewal in flight could land after the release: wait for it, then release whatever it did.
    await this.asking;
    this.held = false;
    await this.leases.release(this.options.name, this.options.holder).catch((error: unknown) => this.options.onError?.(error));
  }
}
