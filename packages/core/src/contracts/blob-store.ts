/**
 * Where the bytes of files live: the original of every document added to the knowledge
 * base and the replay archive of every run. Files under `$AETHER_HOME/blobs` by default
 * (`createFileBlobStore`); an S3-compatible store in the distributed mode. Metadata and
 * searchable text stay in Postgres; a blob is addressed by a key the caller chooses.
 *
 * Keys are `/`-separated relative paths of `[A-Za-z0-9._-]` segments (no `..`, no empty
 * segment); an implementation refuses anything else with `BLOB_KEY_INVALID`.
 */
export interface BlobStore {
  /** Stores `data` under `key`, replacing what was there; atomic (a reader sees old or new, never half). */
  put(key: string, data: Uint8Array, options?: { contentType?: string }): Promise<BlobInfo>;
  /** The bytes under `key`, or `undefined` when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Whether something is stored under `key`. */
  has(key: string): Promise<boolean>;
  /** Removes `key`; removing a missing key is not an error. Returns whether something was removed. */
  delete(key: string): Promise<boolean>;
  /** Keys that start with `prefix` (all keys for `''`), sorted. */
  list(prefix: string): Promise<string[]>;
}

/** What {@link BlobStore.put} stored. */
export interface BlobInfo {
  key: string;
  sizeBytes: number;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
}
