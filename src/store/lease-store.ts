/**
 * Leases: when several servers share one metadata database, each background loop (the rollout
 * controller, the monitor scheduler, webhook delivery) runs a tick only while its server holds the
 * loop's lease. A holder renews before expiry; a holder that dies stops renewing, and another server
 * takes the lease once it has expired. Expiry is by the clocks of the servers, which must agree to
 * well within the lease's length.
 */
export interface LeaseStore {
  /**
   * Takes or renews the lease `name` for `holder` until `now + ttlMs`; true when `holder` holds it
   * afterwards, false when another holder's lease has not expired.
   */
  acquire(name: string, holder: string, ttlMs: number, now?: number): Promise<boolean>;
  /** Gives the lease up if `holder` holds it, so another server need not wait for expiry. */
  release(name: string, holder: string): Promise<void>;
  /** The current holder and expiry, if anyone ever held it. */
  current(name: string): Promise<{ holder: string; expiresAt: number } | undefined>;
}
