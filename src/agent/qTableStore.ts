// The Q-learning scaling policy's table for one cluster, persisted next to the ledger as
// ${NIMBUSGUARD_HOME:-~/.nimbusguard}/qtable/<cluster identity>.json (the `nimbusguard.qtable`
// format of src/core/learning/qTable.ts, the one `bench --qtable` reads). A cluster without a
// table starts from the agent trained on the synthetic series; every judged scaling change made
// under the policy updates it under a lock, so the CLI and the extension learn into one table.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QLearningAgent } from '../core/learning/qLearningAgent';
import { Q_ACTIONS } from '../core/scaling/qlearningPolicy';
import { trainOnSynthetic } from '../core/scaling/qTraining';
import { clusterIdentity, nimbusguardHome, withFileLock } from './ledger';

export class QTableStore {
  constructor(readonly file: string) {}

  static forCluster(server: string, caHash: string, env: NodeJS.ProcessEnv = process.env): QTableStore {
    return new QTableStore(join(nimbusguardHome(env), 'qtable', `${clusterIdentity(server, caHash)}.json`));
  }

  /** The agent as last saved; the synthetic-trained one (saved at once) when the cluster has none yet. */
  load(): QLearningAgent {
    const saved = this.read();
    if (saved) return saved;
    return withFileLock(this.lockTarget(), () => {
      const again = this.read();
      if (again) return again;
      const agent = trainOnSynthetic();
      this.write(agent);
      return agent;
    });
  }

  /** Read, change and save the table under the lock; returns what `fn` returns. */
  update<T>(fn: (agent: QLearningAgent) => T): T {
    return withFileLock(this.lockTarget(), () => {
      const agent = this.read() ?? trainOnSynthetic();
      const out = fn(agent);
      this.write(agent);
      return out;
    });
  }

  private read(): QLearningAgent | undefined {
    if (!existsSync(this.file)) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new Error(`the Q-table ${this.file} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    try {
      return QLearningAgent.fromJSON(data, Q_ACTIONS);
    } catch (error) {
      throw new Error(`${(error as Error).message} (in ${this.file})`, { cause: error });
    }
  }

  private write(agent: QLearningAgent): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(agent.toJSON(), null, 1)}\n`);
    renameSync(tmp, this.file);
  }

  private lockTarget(): string {
    mkdirSync(join(this.file, '..'), { recursive: true });
    return this.file;
  }
}
