export interface ClaimRecord {
  id: string;
  token: number;
  pid: number;
  atMs: number;
}

export interface RunClaimersOptions {
  /** The SQLite file holding the board. */
  path: string;
  processes: number;
  claimersPerProcess: number;
  leaseMs: number;
}

/** Forks `processes` claimers on one board file; resolves every claim and the slowest process's time. */
export function runClaimers(options: RunClaimersOptions): Promise<{ claims: ClaimRecord[]; elapsedMs: number }>;
