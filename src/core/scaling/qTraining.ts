// Trains the Q-learning scaling agent by replaying request-rate series through the benchmark
// simulator, one bounded episode at a time.
import { QLearningAgent } from '../learning/qLearningAgent';
import { seededRandom } from '../learning/seededRandom';
import { Q_ACTIONS, QLearningPolicy } from './qlearningPolicy';
import { capacityPerReplica, simulate } from './simulator';
import { SYNTHETIC_SHAPES, syntheticTrace } from './syntheticTraces';

export interface TrainingOptions {
  episodes: number;
  /** Ticks per episode. */
  episodeTicks: number;
  seed: number;
}

export const TRAINING_DEFAULTS: TrainingOptions = { episodes: 2000, episodeTicks: 480, seed: 7 };

export function newQAgent(seed = 1): QLearningAgent {
  return new QLearningAgent(Q_ACTIONS, {}, seed);
}

/** Runs `episodes` episodes, each a random window of one of `series`, and decays exploration after each. */
export function trainOnSeries(
  agent: QLearningAgent,
  series: readonly Float64Array[],
  options: Partial<TrainingOptions> = {},
): QLearningAgent {
  const { episodes, episodeTicks, seed } = { ...TRAINING_DEFAULTS, ...options };
  const usable = series.filter((s) => s.length > 0);
  if (usable.length === 0) return agent;
  const random = seededRandom(seed);
  const capacities = usable.map((s) => capacityPerReplica(s));
  for (let e = 0; e < episodes; e++) {
    const pick = Math.floor(random() * usable.length);
    const source = usable[pick]!;
    const length = Math.min(episodeTicks, source.length);
    const start = Math.floor(random() * (source.length - length + 1));
    simulate(source.subarray(start, start + length), new QLearningPolicy(agent), capacities[pick]!);
    agent.endEpisode();
  }
  return agent;
}

/** The agent the benchmark scores: trained only on synthetic series, never on the trace it is scored on. */
export function trainOnSynthetic(options: Partial<TrainingOptions> = {}): QLearningAgent {
  const seed = options.seed ?? TRAINING_DEFAULTS.seed;
  const series = SYNTHETIC_SHAPES.map((shape, i) => syntheticTrace(shape, 5760, seed * 31 + i));
  return trainOnSeries(newQAgent(seed), series, options);
}
