// Runs agent-graph threads one at a time and keeps each thread's checkpoints until the thread reaches
// its end. A thread paused at an interrupt() (an approval waiting for a person) keeps its state on
// disk, is listed by pending() after a reload, and goes on from where it stopped with resume().
//
//   const runner = new ThreadRunner<State>({ graph, store });  // graph compiled with `store` as checkpointer
//   runner.onChange((outcome) => ...);                         // paused | done | failed | discarded
//   await runner.start(id, { incident });                      // { status: 'paused', questions: [payload] }
//   await runner.pending();                                    // after a reload: the threads still waiting
//   await runner.resume(id, answer);                           // Command({ resume: answer }), on to the end
import { Command } from '@langchain/langgraph';
import { Emitter } from '../core/events';

/** What the runner needs of a compiled graph (a CompiledStateGraph with a checkpointer). */
export interface ThreadGraph<S> {
  invoke(input: unknown, config: ThreadRunConfig): Promise<unknown>;
  getState(config: { configurable: { thread_id: string } }): Promise<GraphStateView<S>>;
}

export interface ThreadRunConfig {
  configurable: { thread_id: string };
  /** Node names; typed `never[]` so that a graph with any node names fits (see stopAfter). */
  interruptAfter?: never[];
  signal?: AbortSignal;
}

interface GraphStateView<S> {
  values: S;
  next: readonly string[];
  tasks: readonly { interrupts?: readonly { value?: unknown }[] }[];
}

/** Where checkpoints are kept, by thread (the FileCheckpointer, or a MemorySaver with threads()). */
export interface ThreadStore {
  threads(): string[];
  deleteThread(threadId: string): Promise<void>;
}

export type ThreadOutcome<S> =
  /** Waiting at an interrupt(); `questions` are the interrupt payloads, in task order. */
  | { threadId: string; status: 'paused'; values: S; questions: unknown[] }
  /** Reached its end (or the runner's stopAfter node); its checkpoints are deleted. */
  | { threadId: string; status: 'done'; values: S }
  /** A node threw; the thread cannot go on and its checkpoints are deleted. */
  | { threadId: string; status: 'failed'; error: string; values?: S }
  /** Dropped by discard() while paused. */
  | { threadId: string; status: 'discarded' };

export type PendingThread<S> = Extract<ThreadOutcome<S>, { status: 'paused' }>;

export interface ThreadRunnerOptions<S> {
  graph: ThreadGraph<S>;
  store: ThreadStore;
  /** Runs end after these nodes (e.g. `['diagnose']` for a headless scan) instead of at the graph's end. */
  stopAfter?: string[];
}

interface Job {
  threadId: string;
  input: unknown;
}

export class ThreadRunner<S> {
  private readonly changed = new Emitter<ThreadOutcome<S>>();
  /** Fires when a run ends (paused, done or failed) and when a paused thread is discarded. */
  readonly onChange = this.changed.event;
  private readonly queued = new Map<string, Promise<ThreadOutcome<S>>>();
  private readonly paused = new Set<string>();
  private running: string | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private scanned: Promise<void> | undefined;

  constructor(private readonly options: ThreadRunnerOptions<S>) {}

  /**
   * Starts a new run of the thread with `input`, after the runs already queued. A thread that is
   * queued or running is not started twice (the same promise is returned); a paused thread is not
   * restarted: it waits for resume() or discard().
   */
  async start(threadId: string, input: unknown): Promise<ThreadOutcome<S>> {
    await this.scan();
    const queued = this.queued.get(threadId);
    if (queued) return queued;
    if (this.paused.has(threadId)) {
      const pending = await this.pendingOf(threadId);
      if (pending) return pending;
      this.paused.delete(threadId);
    }
    return this.enqueue({ threadId, input });
  }

  /** Answers the interrupt() a paused thread waits at, and runs it on from there. */
  async resume(threadId: string, value: unknown): Promise<ThreadOutcome<S>> {
    await this.scan();
    if (this.queued.has(threadId)) throw new Error(`thread ${threadId} is already running`);
    if (!this.paused.has(threadId) || !(await this.pendingOf(threadId)))
      throw new Error(`thread ${threadId} is not waiting for an answer`);
    this.paused.delete(threadId);
    return this.enqueue({ threadId, input: new Command({ resume: value }) });
  }

  /** Threads paused at an interrupt(), including those saved before a reload. */
  async pending(): Promise<PendingThread<S>[]> {
    await this.scan();
    const out: PendingThread<S>[] = [];
    for (const threadId of [...this.paused]) {
      const pending = await this.pendingOf(threadId);
      if (pending) out.push(pending);
    }
    return out;
  }

  /** Where a thread is: queued (or running), paused, or unknown (never started, or ended). */
  status(threadId: string): 'queued' | 'running' | 'paused' | undefined {
    if (this.running === threadId) return 'running';
    if (this.queued.has(threadId)) return 'queued';
    return this.paused.has(threadId) ? 'paused' : undefined;
  }

  /** Deletes a paused thread's checkpoints without running it on (its question is no longer asked). */
  async discard(threadId: string): Promise<void> {
    await this.scan();
    if (this.queued.has(threadId)) throw new Error(`thread ${threadId} is running`);
    if (!this.paused.delete(threadId)) return;
    await this.options.store.deleteThread(threadId);
    this.changed.fire({ threadId, status: 'discarded' });
  }

  /** Resolves when every queued run has ended. */
  async idle(): Promise<void> {
    while (this.queued.size > 0) await Promise.allSettled([...this.queued.values()]);
  }

  /** Stops after the current node: paused threads and the cut-off run keep their checkpoints. */
  dispose(): void {
    this.abort.abort();
    this.changed.dispose();
  }

  /**
   * Reads the store once: threads waiting at an interrupt() are paused; any other saved thread was
   * cut off mid-run by a reload and is dropped, never run on (a half-done step is not repeated).
   */
  private scan(): Promise<void> {
    this.scanned ??= (async () => {
      for (const threadId of this.options.store.threads()) {
        if (this.queued.has(threadId)) continue;
        const state = await this.options.graph.getState(configFor(threadId)).catch(() => undefined);
        if (state && questionsOf(state).length > 0) this.paused.add(threadId);
        else await this.options.store.deleteThread(threadId).catch(() => undefined);
      }
    })();
    return this.scanned;
  }

  private async pendingOf(threadId: string): Promise<PendingThread<S> | undefined> {
    const state = await this.options.graph.getState(configFor(threadId));
    const questions = questionsOf(state);
    return questions.length > 0 ? { threadId, status: 'paused', values: state.values, questions } : undefined;
  }

  private enqueue(job: Job): Promise<ThreadOutcome<S>> {
    const release = () => {
      if (this.queued.get(job.threadId) === tracked) this.queued.delete(job.threadId);
    };
    const tracked: Promise<ThreadOutcome<S>> = this.tail.then(() => this.run(job, release));
    this.tail = tracked.catch(() => undefined);
    this.queued.set(job.threadId, tracked);
    return tracked;
  }

  /** One run; `release` takes it off the queue before listeners hear of its end. */
  private async run({ threadId, input }: Job, release: () => void): Promise<ThreadOutcome<S>> {
    const { graph, store, stopAfter } = this.options;
    const config: ThreadRunConfig = {
      ...configFor(threadId),
      signal: this.abort.signal,
      ...(stopAfter ? { interruptAfter: stopAfter as never[] } : {}),
    };
    if (this.abort.signal.aborted) {
      release();
      return { threadId, status: 'failed', error: 'the runner was stopped' };
    }
    this.running = threadId;
    let outcome: ThreadOutcome<S>;
    try {
      await graph.invoke(input, config);
      const state = await graph.getState(configFor(threadId));
      const questions = questionsOf(state);
      if (questions.length > 0) {
        this.paused.add(threadId);
        outcome = { threadId, status: 'paused', values: state.values, questions };
      } else {
        await store.deleteThread(threadId);
        outcome = { threadId, status: 'done', values: state.values };
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Stopped by dispose(): the checkpoints stay as they are for the next scan to judge.
      if (this.abort.signal.aborted) return { threadId, status: 'failed', error: `stopped: ${message}` };
      const values = await graph.getState(configFor(threadId)).then(
        (s) => s.values,
        () => undefined,
      );
      await store.deleteThread(threadId).catch(() => undefined);
      outcome = { threadId, status: 'failed', error: message, ...(values ? { values } : {}) };
    } finally {
      this.running = undefined;
      release();
    }
    this.changed.fire(outcome);
    return outcome;
  }
}

function configFor(threadId: string): { configurable: { thread_id: string } } {
  return { configurable: { thread_id: threadId } };
}

function questionsOf(state: GraphStateView<unknown>): unknown[] {
  return state.tasks.flatMap((t) => (t.interrupts ?? []).map((i) => i.value));
}
