// The audit ledger: append-only JSON lines, one file per cluster identity (a hash of the server URL
// and its CA) under ${NIMBUSGUARD_HOME:-~/.nimbusguard}/ledger, shared by the CLI and the extension.
// Each event is one locked append; readers never need the lock (a line is written in one call).
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  watch,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Emitter } from '../core/events';
import { foldLedger, parseLedger } from '../core/change/ledgerFold';
import { sha256Hex } from '../core/change/sha256';
import type { ChangeRecord, LedgerEntry } from '../core/model/proposal';

export function nimbusguardHome(env: NodeJS.ProcessEnv = process.env): string {
  return env['NIMBUSGUARD_HOME'] || join(env['HOME'] || homedir(), '.nimbusguard');
}

export function clusterIdentity(server: string, caHash: string): string {
  return sha256Hex(`${server}\n${caHash}`).slice(0, 24);
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `fn` holding `<file>.lock`, created exclusively (a lock older than 10 s, left by a crash, is
 * taken over). The ledger's appends and the Q-table's read-modify-write use it.
 */
export function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new Error(`${file} cannot be locked: ${(error as Error).message}`, { cause: error });
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { force: true });
      } catch {
        // The holder just released it.
      }
      if (Date.now() > deadline) throw new Error(`${file} stayed locked for ${LOCK_WAIT_MS / 1000}s`, { cause: error });
      sleepSync(20);
    }
  }
  try {
    writeSync(fd, String(process.pid));
    return fn();
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

export class Ledger {
  readonly file: string;
  private readonly changed = new Emitter<void>();
  /** Fires after this process appended, and when another process (CLI, another window) did. */
  readonly onDidChange = this.changed.event;
  private watcher: FSWatcher | undefined;

  constructor(
    readonly identity: string,
    dir = join(nimbusguardHome(), 'ledger'),
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${identity}.jsonl`);
  }

  static forCluster(server: string, caHash: string, env: NodeJS.ProcessEnv = process.env): Ledger {
    return new Ledger(clusterIdentity(server, caHash), join(nimbusguardHome(env), 'ledger'));
  }

  /** Appends one entry under an exclusive lock file (stale locks from a crash are taken over). */
  append(entry: LedgerEntry): void {
    withFileLock(this.file, () => appendFileSync(this.file, `${JSON.stringify(entry)}\n`));
    this.changed.fire();
  }

  entries(): { entries: LedgerEntry[]; skipped: number } {
    if (!existsSync(this.file)) return { entries: [], skipped: 0 };
    return parseLedger(readFileSync(this.file, 'utf8'));
  }

  /** Every change, newest first. */
  changes(): ChangeRecord[] {
    return foldLedger(this.entries().entries);
  }

  get(changeId: string): ChangeRecord | undefined {
    return this.changes().find((c) => c.id === changeId);
  }

  /** Watches the file so appends from other processes fire onDidChange. */
  watch(): void {
    if (this.watcher) return;
    if (!existsSync(this.file)) appendFileSync(this.file, '');
    try {
      this.watcher = watch(this.file, { persistent: false }, () => this.changed.fire());
      this.watcher.on('error', () => undefined);
    } catch {
      // Watching is a convenience; appends from this process still fire.
    }
  }

  dispose(): void {
    this.watcher?.close();
    this.changed.dispose();
  }
}
