import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { BlobInfo, BlobStore } from '../contracts/blob-store.ts';
import { AetherError } from '../errors.ts';

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Checks a blob key (`BLOB_KEY_INVALID` naming it otherwise) and returns its segments. */
export function blobKeySegments(key: string): string[] {
  const segments = key.split('/');
  if (
    key === '' ||
    segments.some((segment) => !SEGMENT.test(segment) || segment === '.' || segment === '..')
  ) {
    throw new AetherError(
      'BLOB_KEY_INVALID',
      `blob key "${key}" must be /-separated segments of letters, digits, ".", "_" or "-" (no "..")`,
      { category: 'system' },
    );
  }
  return segments;
}

/**
 * A {@link BlobStore} in a directory (the CLI uses `$AETHER_HOME/blobs`). Writes go to a
 * temporary file that is renamed into place, so a reader never sees half a blob.
 */
export function createFileBlobStore(root: string): BlobStore {
  const pathOf = (key: string): string => join(root, ...blobKeySegments(key));
  return {
    async put(key, data): Promise<BlobInfo> {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, data);
        await rename(temporary, path);
      } catch (cause) {
        await rm(temporary, { force: true });
        throw new AetherError(
          'BLOB_WRITE_FAILED',
          `cannot write blob ${key} under ${root}: ${(cause as Error).message}`,
          { category: 'system', cause },
        );
      }
      return { key, sizeBytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async has(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch {
        return false;
      }
    },
    async delete(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch {
        return false;
      }
      await rm(path, { force: true });
      return true;
    },
    async list(prefix) {
      const keys: string[] = [];
      const walk = async (directory: string): Promise<void> => {
        let entries: import('node:fs').Dirent[];
        try {
          entries = await readdir(directory, { withFileTypes: true });
        } catch {
          return;
        }
        for (const entry of entries) {
          const path = join(directory, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile() && !entry.name.endsWith('.tmp'))
            keys.push(relative(root, path).split(sep).join('/'));
        }
      };
      await walk(root);
      return keys.filter((key) => key.startsWith(prefix)).sort();
    },
  };
}
