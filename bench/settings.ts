/**
 * Sizes and repeat counts of one bench run. BENCH_QUICK=1 shrinks everything to a smoke check of
 * the harness (figures then mean nothing); BENCH_SOAK_SECONDS sets the collector soak length.
 */
export interface BenchSettings {
  quick: boolean;
  /** Timed repetitions per measurement (medians are taken over these). */
  runs: number;
  days: number;
  smallBlobsPerDay: number;
  smallBlobBytes: number;
  largeBlobBytes: number;
  /** The medium scenario: blobs per identifier per day and their size (one row per request). */
  mediumBlobsPerDay: number;
  mediumBlobBytes: number;
  listingLongDays: number;
  collectorSeconds: number;
  soakSeconds: number;
  freshnessRuns: number;
}

export function benchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const quick = env.BENCH_QUICK === '1';
  // The issue asks for memory flat over a 60-second run at full speed.
  const soak = Number(env.BENCH_SOAK_SECONDS ?? (quick ? 3 : 60));
  if (quick) {
    return {
      quick,
      runs: 1,
      days: 3,
      smallBlobsPerDay: 5,
      smallBlobBytes: 5 * 1024,
      largeBlobBytes: 1024 * 1024,
      mediumBlobsPerDay: 2,
      mediumBlobBytes: 200 * 1024,
      listingLongDays: 40,
      collectorSeconds: 1,
      soakSeconds: soak,
      freshnessRuns: 1,
    };
  }
  return {
    quick,
    runs: 3,
    days: 30,
    // 2 identifiers x 30 days x 50 = 3,000 blobs of ~5 KB
    smallBlobsPerDay: 50,
    smallBlobBytes: 5 * 1024,
    // 2 identifiers x 30 days x 1 = 60 blobs of ~18 MB, ~1.1 GB
    largeBlobBytes: 18 * 1024 * 1024,
    // 2 identifiers x 30 days x 16 = 960 blobs of ~800 KB (~670 MB), one row per request: the
    // common AKS shape, near the 1 MiB line between staging in memory and to files.
    mediumBlobsPerDay: 16,
    mediumBlobBytes: 800 * 1024,
    listingLongDays: 365,
    collectorSeconds: 3,
    soakSeconds: soak,
    freshnessRuns: 3,
  };
}
