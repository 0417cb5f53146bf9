/** Where bundles go: a directory or an S3-compatible bucket (target-config.ts picks one). */
export interface ArchiveTarget {
  /** Where a bundle of this name is (a path, or s3://bucket/key), for messages. */
  locate(name: string): string;
  /**
   * Writes the bundle and resolves only once the write is confirmed: durable on disk, or
   * answered 200 by the store and read back with the same SHA-256. Resolves to `locate(name)`.
   */
  put(name: string, bytes: Uint8Array): Promise<string>;
  /** The bundle's bytes; throws ArchiveTargetError (not_found) when there is none. */
  get(name: string): Promise<Uint8Array>;
}

export type ArchiveTargetProblem = 'config' | 'write_failed' | 'not_confirmed' | 'not_found';

/** A target that refused or failed; purge must not go on after one. */
export class ArchiveTargetError extends Error {
  override readonly name = 'ArchiveTargetError';
  constructor(
    readonly problem: ArchiveTargetProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
