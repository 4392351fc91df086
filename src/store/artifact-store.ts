/**
 * Artifacts: immutable files addressed by key (datasets as Parquet, models, reports). A file is written to
 * a temporary path first and moved into place whole, so a reader never sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MlcycleError } from '../error.js';

export interface ArtifactStore {
  /** A fresh path to write a new artifact to before `commit`; the file does not exist yet. */
  stagingPath(extension: string): Promise<string>;
  /** Moves a staged file into place under `key`; returns false when the key already held the same artifact. */
  commit(stagedFile: string, key: string): Promise<boolean>;
  /** Removes a staged file or an artifact; a missing one is not an error. */
  discard(fileOrKey: string): Promise<void>;
  /** Whether this machine holds the artifact (a shared store may hold it and this machine not yet: see `has`). */
  exists(key: string): boolean;
  /** Whether the store holds the artifact, on this machine or in the shared object store. */
  has(key: string): Promise<boolean>;
  /** Where this machine's copy of the artifact is or would be (see `localCopy` for one that is there). */
  localPath(key: string): string;
  /**
   * A local path that DuckDB and other readers can open, holding the artifact: a shared store first
   * copies it down (checking its digest) when only the object store holds it.
   */
  localCopy(key: string): Promise<string>;
  size(key: string): Promise<number>;
  /** Removes staged files last written before `before` (a crash's partial blobs); returns their paths. */
  removeStagingLeftovers(before: Date): Promise<string[]>;
}

/**
 * How old a staged file must be before start-up removes it: a writer in another process may be staging
 * right now, and a live copy rewrites its file far more often than this.
 */
export const STAGING_LEFTOVER_AGE_MS = 60 * 60 * 1000;

const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Artifacts as files under one folder (`.mlcycle/artifacts`). */
export class LocalArtifactStore implements ArtifactStore {
  private readonly stagingDir: string;

  constructor(private readonly root: string) {
    this.stagingDir = path.join(root, '.staging');
  }

  async stagingPath(extension: string): Promise<string> {
    await mkdir(this.stagingDir, { recursive: true });
    return path.join(this.stagingDir, `${randomUUID()}${extension}`);
  }

  async commit(stagedFile: string, key: string): Promise<boolean> {
    const target = this.localPath(key);
    if (existsSync(target)) {
      await rm(stagedFile, { force: true });
      return false;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(stagedFile, target);
    return true;
  }

  async discard(fileOrKey: string): Promise<void> {
    const file = path.isAbsolute(fileOrKey) ? fileOrKey : this.localPath(fileOrKey);
    await rm(file, { force: true });
  }

  exists(key: string): boolean {
    return existsSync(this.localPath(key));
  }

  async has(key: string): Promise<boolean> {
    return this.exists(key);
  }

  /** The file's path; here every artifact is local already (a missing one fails where it is opened). */
  async localCopy(key: string): Promise<string> {
    return this.localPath(key);
  }

  localPath(key: string): string {
    // Keys come from mlcycle itself, but a key with `..` would escape the store: refuse it outright.
    if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new MlcycleError('invalid_input', `artifact key "${key}" is not a valid key`);
    }
    return path.join(this.root, ...key.split('/'));
  }

  async size(key: string): Promise<number> {
    return (await stat(this.localPath(key))).size;
  }

  async removeStagingLeftovers(before: Date): Promise<string[]> {
    const names = await readdir(this.stagingDir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names.sort()) {
      const file = path.join(this.stagingDir, name);
      const info = await lstat(file).catch(() => undefined);
      if (info === undefined || info.isDirectory() || info.mtimeMs >= before.getTime()) continue;
      await rm(file, { force: true });
      removed.push(file);
    }
    return removed;
  }
}
