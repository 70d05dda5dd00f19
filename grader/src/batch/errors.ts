/** Why a batch cannot start: a missing submissions folder, a bad `--shard`, an unusable results file. */
export class BatchError extends Error {
  override readonly name = 'BatchError';
  constructor(
    readonly code: 'no-submissions' | 'bad-shard' | 'bad-results',
    message: string,
  ) {
    super(message);
  }
}
