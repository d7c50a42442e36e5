// The Kubernetes HPA run alongside a policy on the same observed demand, never applied: the pods it
// would have had at every tick (created pods ready one startup later, youngest deleted first), what it
// would have spent, and the ticks it would have violated the SLO. Its utilization is the observed demand
// over its own ready count, replayed with the service's own arithmetic on the capacity recovered from
// the observations (`CapacityEstimate`), so on a benchmark run it is the simulator's HPA run tick for
// tick, whatever the policy beside it does. Everything it uses is what the policy has seen.
import type { CapacityEstimate } from './capacityEstimate';
import { HPA_DEFAULTS, HpaPolicy } from './hpaPolicy';
import type { Observation } from './policy';
import { ReplicaModel } from './replicaModel';

export class ShadowHpa {
  private readonly hpa = new HpaPolicy();
  private model: ReplicaModel | undefined;
  /** Its ready count after its decision at the tick of the newest observation still to come. */
  private lastReady = 0;
  private podTicksTotal = 0;
  private ambiguousTicks = 0;

  /** @param startupSeconds from creating a pod to it being ready. */
  constructor(private readonly startupSeconds: number) {}

  /** Pod-ticks it has run so far, its decision of this tick included. */
  get podTicks(): number {
    return this.podTicksTotal;
  }

  get pods(): number {
    return this.model?.pods ?? 0;
  }

  /** Pods it would have ready at `t` if it deleted none before then. */
  readyBy(t: number): number {
    return this.model?.readyBy(t) ?? 0;
  }

  /** Ticks whose utilization the capacities still possible could not pin down to one HPA decision. */
  get ambiguous(): number {
    return this.ambiguousTicks;
  }

  /** Its ready count at the tick of the newest observation, to judge that tick with. */
  get readyAtNewest(): number {
    return this.lastReady;
  }

  /**
   * Its decision at `t`, given the newest observation (undefined at the very start), the capacity
   * estimate it has updated with that observation, and the replica bounds.
   */
  decide(
    t: number,
    initial: Observation,
    newest: Observation | undefined,
    capacity: CapacityEstimate,
    min: number,
    max: number,
  ): number {
    this.model ??= new ReplicaModel(this.startupSeconds, initial.ready);
    const model = this.model;
    let history: Observation[] = [];
    let alternative: Observation[] | undefined;
    if (newest) {
      // Without a known capacity the utilization is unknown, and an HPA missing its metric holds.
      const range = capacity.utilization(newest, this.lastReady) ?? {
        low: HPA_DEFAULTS.targetUtilization,
        high: HPA_DEFAULTS.targetUtilization,
      };
      history = [{ t: newest.t, rps: newest.rps, ready: this.lastReady, rho: range.low }];
      if (range.high !== range.low) alternative = [{ ...history[0]!, rho: range.high }];
    }
    const ctx = { t, history, initial, pods: model.pods, ready: model.readyBy(t), minReplicas: min, maxReplicas: max };
    if (alternative && this.hpa.recommend(ctx) !== this.hpa.recommend({ ...ctx, history: alternative })) {
      this.ambiguousTicks++;
    }
    const want = this.hpa.decide(ctx);
    this.lastReady = model.apply(t, want);
    this.podTicksTotal += want;
    return want;
  }
}
