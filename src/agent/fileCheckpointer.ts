// LangGraph checkpoints on disk without native modules: the in-memory saver's tables, written
// per thread as JSON under a directory (the extension's global storage). Threads that finish are
// deleted, so the directory and memory stay small over a long session.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySaver, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph';
import type { RunnableConfig } from '@langchain/core/runnables';

type PendingWrite = Parameters<MemorySaver['putWrites']>[1][number];

type Stored = MemorySaver['storage'][string];
type StoredWrites = MemorySaver['writes'];

interface ThreadFile {
  version: 1;
  storage: Record<string, Record<string, [string, string, string | undefined]>>;
  writes: Record<string, Record<string, [string, string, string, string?]>>;
}

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

function fileNameFor(threadId: string): string {
  return `${Buffer.from(threadId).toString('base64url')}.json`;
}

export class FileCheckpointer extends MemorySaver {
  constructor(private readonly dir: string) {
    super();
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const threadId = Buffer.from(name.slice(0, -5), 'base64url').toString();
        this.restore(threadId, JSON.parse(readFileSync(join(dir, name), 'utf8')) as ThreadFile);
      } catch {
        // A damaged file (e.g. the editor was killed mid-write) loses only that thread.
        rmSync(join(dir, name), { force: true });
      }
    }
  }

  /** Thread ids that have saved checkpoints. */
  threads(): string[] {
    return Object.keys(this.storage);
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
  ): Promise<RunnableConfig> {
    const result = await super.put(config, checkpoint, metadata);
    this.persist(String(config.configurable?.['thread_id']));
    return result;
  }

  override async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    await super.putWrites(config, writes, taskId, taskPath);
    this.persist(String(config.configurable?.['thread_id']));
  }

  override async deleteThread(threadId: string): Promise<void> {
    await super.deleteThread(threadId);
    rmSync(join(this.dir, fileNameFor(threadId)), { force: true });
  }

  private persist(threadId: string): void {
    const storage: ThreadFile['storage'] = {};
    for (const [ns, checkpoints] of Object.entries(this.storage[threadId] ?? {})) {
      storage[ns] = {};
      for (const [id, [cp, meta, parent]] of Object.entries(checkpoints))
        storage[ns][id] = [b64(cp), b64(meta), parent];
    }
    const writes: ThreadFile['writes'] = {};
    for (const [key, entries] of Object.entries(this.writes)) {
      if ((JSON.parse(key) as string[])[0] !== threadId) continue;
      writes[key] = {};
      for (const [inner, [task, channel, value, path]] of Object.entries(entries)) {
        writes[key][inner] = path === undefined ? [task, channel, b64(value)] : [task, channel, b64(value), path];
      }
    }
    const target = join(this.dir, fileNameFor(threadId));
    const temp = `${target}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: 1, storage, writes } satisfies ThreadFile));
    renameSync(temp, target);
  }

  private restore(threadId: string, file: ThreadFile): void {
    if (file.version !== 1) throw new Error('unknown checkpoint file version');
    const thread: Stored = Object.create(null);
    for (const [ns, checkpoints] of Object.entries(file.storage)) {
      thread[ns] = Object.create(null);
      for (const [id, [cp, meta, parent]] of Object.entries(checkpoints))
        thread[ns]![id] = [bytes(cp), bytes(meta), parent];
    }
    this.storage[threadId] = thread;
    const writes: StoredWrites = this.writes;
    for (const [key, entries] of Object.entries(file.writes)) {
      writes[key] = Object.create(null);
      for (const [inner, [task, channel, value, path]] of Object.entries(entries)) {
        writes[key]![inner] = path === undefined ? [task, channel, bytes(value)] : [task, channel, bytes(value), path];
      }
    }
  }
}
