// A tabular action-value function and its JSON form.
//
// File format (`QTableJson`):
// {
//   "format": "nimbusguard.qtable",   fixed marker
//   "version": 1,
//   "actions": ["down-big", ...],     action names, in the order of every value row
//   "hyper": { "alpha": 0.1, "gamma": 0.95, "epsilon": 0.42, "epsilonMin": 0.01, "epsilonDecay": 0.995 },
//   "episodes": 900,                  training episodes behind the values
//   "states": { "<state key>": [q(action 0), q(action 1), ...], ... }
// }

export const QTABLE_FORMAT = 'nimbusguard.qtable';
export const QTABLE_VERSION = 1;

export interface QHyperParameters {
  alpha: number;
  gamma: number;
  epsilon: number;
  epsilonMin: number;
  epsilonDecay: number;
}

export interface QTableJson {
  format: typeof QTABLE_FORMAT;
  version: typeof QTABLE_VERSION;
  actions: string[];
  hyper: QHyperParameters;
  episodes: number;
  states: Record<string, number[]>;
}

export class QTable {
  private readonly values = new Map<string, number[]>();

  constructor(readonly actions: readonly string[]) {
    if (actions.length === 0) throw new Error('a Q-table needs at least one action');
  }

  get size(): number {
    return this.values.size;
  }

  has(state: string): boolean {
    return this.values.has(state);
  }

  /** The action values of `state`, created as zeros on first use. */
  row(state: string): number[] {
    let row = this.values.get(state);
    if (!row) {
      row = new Array<number>(this.actions.length).fill(0);
      this.values.set(state, row);
    }
    return row;
  }

  /** Index of the best action in `state` (the first one on ties). */
  best(state: string): number {
    const row = this.values.get(state);
    if (!row) return -1;
    let best = 0;
    for (let a = 1; a < row.length; a++) if (row[a]! > row[best]!) best = a;
    return best;
  }

  maxValue(state: string): number {
    const row = this.values.get(state);
    return row ? Math.max(...row) : 0;
  }

  toJSON(hyper: QHyperParameters, episodes: number): QTableJson {
    const states: Record<string, number[]> = {};
    for (const key of [...this.values.keys()].sort()) states[key] = this.values.get(key)!.slice();
    return {
      format: QTABLE_FORMAT,
      version: QTABLE_VERSION,
      actions: [...this.actions],
      hyper: { ...hyper },
      episodes,
      states,
    };
  }

  /** Reads a table written by `toJSON`; throws a message naming what is wrong. */
  static fromJSON(
    data: unknown,
    expectedActions?: readonly string[],
  ): { table: QTable; hyper: QHyperParameters; episodes: number } {
    if (typeof data !== 'object' || data === null) throw new Error('Q-table: expected a JSON object');
    const json = data as Partial<QTableJson>;
    if (json.format !== QTABLE_FORMAT) throw new Error(`Q-table: "format" must be "${QTABLE_FORMAT}"`);
    if (json.version !== QTABLE_VERSION) throw new Error(`Q-table: unsupported version ${String(json.version)}`);
    if (!Array.isArray(json.actions) || !json.actions.every((a) => typeof a === 'string'))
      throw new Error('Q-table: "actions" must be a list of names');
    if (expectedActions && json.actions.join(',') !== expectedActions.join(',')) {
      throw new Error(`Q-table: actions [${json.actions.join(', ')}] do not match [${expectedActions.join(', ')}]`);
    }
    const hyper = json.hyper;
    const keys: (keyof QHyperParameters)[] = ['alpha', 'gamma', 'epsilon', 'epsilonMin', 'epsilonDecay'];
    if (
      typeof hyper !== 'object' ||
      hyper === null ||
      !keys.every((k) => typeof hyper[k] === 'number' && Number.isFinite(hyper[k]))
    ) {
      throw new Error(`Q-table: "hyper" must hold numbers ${keys.join(', ')}`);
    }
    if (typeof json.states !== 'object' || json.states === null) throw new Error('Q-table: "states" must be an object');
    const table = new QTable(json.actions);
    for (const [key, row] of Object.entries(json.states)) {
      if (
        !Array.isArray(row) ||
        row.length !== json.actions.length ||
        !row.every((v) => typeof v === 'number' && Number.isFinite(v))
      ) {
        throw new Error(`Q-table: state "${key}" must hold ${json.actions.length} finite numbers`);
      }
      table.values.set(key, row.slice());
    }
    return { table, hyper: { ...hyper }, episodes: typeof json.episodes === 'number' ? json.episodes : 0 };
  }
}
