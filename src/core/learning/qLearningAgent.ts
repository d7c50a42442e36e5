// Epsilon-greedy tabular Q-learning: learning rate 0.1, discount 0.95, exploration from 1.0 down to
// 0.01 by a factor 0.995 per episode.
import { QTable, type QHyperParameters, type QTableJson } from './qTable';
import { seededRandom, type Random } from './seededRandom';

export const Q_DEFAULTS: QHyperParameters = {
  alpha: 0.1,
  gamma: 0.95,
  epsilon: 1.0,
  epsilonMin: 0.01,
  epsilonDecay: 0.995,
};

export class QLearningAgent {
  readonly hyper: QHyperParameters;
  readonly table: QTable;
  episodes = 0;
  private readonly random: Random;

  constructor(actions: readonly string[], hyper: Partial<QHyperParameters> = {}, seed = 1, table?: QTable) {
    this.hyper = { ...Q_DEFAULTS, ...hyper };
    this.table = table ?? new QTable(actions);
    this.random = seededRandom(seed);
  }

  get epsilon(): number {
    return this.hyper.epsilon;
  }

  /** Explores with probability epsilon (and in states never seen), else takes the best known action. */
  act(state: string, explore = true): number {
    const known = this.table.has(state);
    if ((explore && this.random() < this.hyper.epsilon) || !known) {
      if (!known && !explore) return -1;
      return Math.floor(this.random() * this.table.actions.length);
    }
    return this.table.best(state);
  }

  /** One temporal-difference update of Q(state, action) towards reward + gamma * max Q(next). */
  learn(state: string, action: number, reward: number, next: string): void {
    const row = this.table.row(state);
    const target = reward + this.hyper.gamma * this.table.maxValue(next);
    row[action] = row[action]! + this.hyper.alpha * (target - row[action]!);
  }

  /** Ends an episode: exploration decays towards its floor. */
  endEpisode(): void {
    this.episodes++;
    this.hyper.epsilon = Math.max(this.hyper.epsilonMin, this.hyper.epsilon * this.hyper.epsilonDecay);
  }

  toJSON(): QTableJson {
    return this.table.toJSON(this.hyper, this.episodes);
  }

  static fromJSON(data: unknown, actions: readonly string[], seed = 1): QLearningAgent {
    const { table, hyper, episodes } = QTable.fromJSON(data, actions);
    const agent = new QLearningAgent(actions, hyper, seed, table);
    agent.episodes = episodes;
    return agent;
  }
}
