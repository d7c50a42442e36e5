// The account a policy keeps against the HPA it must never be worse than, so that the guarantees hold
// by construction rather than by tuning:
// - Cost. The bank is the pod-ticks the HPA would have run so far less the ones the policy ran. A
//   decision may exceed the HPA's count of this tick only by what is in the bank, so the policy's
//   replica-hours are never above the HPA's, at any tick of any series (integers: no rounding).
// - Violations. The policy can only violate where the HPA does not at a tick where it has fewer ready
//   pods than the HPA (an "exposed" tick): with at least as many ready pods, the same demand cannot
//   violate one and not the other. The credit is the HPA's violating ticks less the policy's, judged
//   one tick later on the observed demand. The ticks a decision leaves exposed are those up to one
//   startup ahead whose ready count it can no longer raise; a decision is allowed only while the credit
//   less those ticks stays at or above minus the allowance. Whatever happens on those ticks, the
//   policy ends with no more than the HPA's violations plus the allowance; the HPA's own count is always
//   allowed, so the rule can always be met.
// Both controllers are modelled with the benchmark's pod rules (ready one startup after creation,
// youngest deleted first) on the capacity recovered from the observations bit for bit.
import { CapacityEstimate } from './capacityEstimate';
import type { Observation } from './policy';
import { ReplicaModel } from './replicaModel';
import { ShadowHpa } from './shadowHpa';

export interface LedgerBounds {
  /** The HPA's count at this tick. */
  hpa: number;
  /** The fewest replicas that keep the violation account within the allowance. */
  lower: number;
  /** The most replicas the bank pays for. */
  upper: number;
}

export class HpaLedger {
  readonly capacity = new CapacityEstimate();
  readonly shadow: ShadowHpa;
  private own: ReplicaModel | undefined;
  /** The policy's own ready count at the tick of the newest observation still to come. */
  private ownReady = 0;
  private bankTicks = 0;
  private creditTicks = 0;
  private ownViolations = 0;
  private hpaViolations = 0;
  private hpaNow = 0;
  private start = 0;

  /**
   * @param startupSeconds from creating a pod to it being ready.
   * @param sloUtilization utilization above which a tick violates.
   * @param allowance violating ticks beyond the HPA's the policy may risk before it has earned any.
   */
  constructor(
    private readonly startupSeconds: number,
    private readonly sloUtilization: number,
    readonly allowance: number,
  ) {
    this.shadow = new ShadowHpa(startupSeconds);
  }

  /** Pod-ticks the policy may still run beyond the HPA's. */
  get bank(): number {
    return this.bankTicks;
  }

  /** The HPA's violating ticks less the policy's, on the ticks judged so far. */
  get credit(): number {
    return this.creditTicks;
  }

  get violations(): { own: number; hpa: number } {
    return { own: this.ownViolations, hpa: this.hpaViolations };
  }

  /**
   * Takes in the observations new since the last decision (oldest first) and judges the newest tick:
   * did the policy's pods, and the HPA's, keep it under the SLO. Ticks before any pod created at the
   * start can be ready are not judged.
   */
  observe(initial: Observation, fresh: readonly Observation[]): void {
    this.start = initial.t;
    for (const obs of fresh) this.capacity.observe(obs);
    const newest = fresh[fresh.length - 1];
    if (!newest || !this.own || newest.t - this.start < this.startupSeconds) return;
    const own = this.capacity.utilization(newest, this.ownReady);
    const hpa = this.capacity.utilization(newest, this.shadow.readyAtNewest);
    // When the capacity leaves a doubt, the policy's tick is taken as violating and the HPA's as not.
    const ownViolates = own === undefined || own.high > this.sloUtilization ? 1 : 0;
    const hpaViolates = hpa !== undefined && hpa.low > this.sloUtilization ? 1 : 0;
    this.ownViolations += ownViolates;
    this.hpaViolations += hpaViolates;
    this.creditTicks += hpaViolates - ownViolates;
  }

  /** Runs the HPA for tick `t` and returns the bounds on the policy's decision there. */
  bounds(t: number, initial: Observation, newest: Observation | undefined, min: number, max: number): LedgerBounds {
    this.own ??= new ReplicaModel(this.startupSeconds, initial.ready);
    const hpa = this.shadow.decide(t, initial, newest, this.capacity, min, max);
    this.hpaNow = hpa;
    const upper = Math.min(max, hpa + this.bankTicks);
    // The exposed ticks fall as the count rises, and the HPA's own count always keeps the account.
    let lower = Math.max(min, hpa);
    let low = min;
    while (low < lower) {
      const mid = Math.floor((low + lower) / 2);
      if (this.creditTicks - this.exposedTicks(t, mid) >= -this.allowance) lower = mid;
      else low = mid + 1;
    }
    return { hpa, lower, upper };
  }

  /** Records the policy's decision at `t` (within the bounds). */
  commit(t: number, replicas: number): void {
    this.ownReady = this.own!.apply(t, replicas);
    this.bankTicks += this.hpaNow - replicas;
  }

  /**
   * Ticks from `t` to one startup ahead that would be left with fewer ready pods than the HPA's if the
   * policy ran `replicas` now and changed nothing after (the most it can then have ready), against the
   * HPA deleting nothing (the most it can have).
   */
  exposedTicks(t: number, replicas: number): number {
    const own = this.own!;
    const tick = this.tickSeconds;
    const ahead = Math.ceil(this.startupSeconds / tick - 1e-9);
    let exposed = 0;
    for (let k = 0; k <= ahead; k++) {
      const u = t + k * tick;
      if (u - this.start < this.startupSeconds) continue;
      const created = u >= t + this.startupSeconds ? Math.max(0, replicas - own.pods) : 0;
      const ownReady = Math.min(own.readyBy(u), replicas) + created;
      if (ownReady < this.shadow.readyBy(u)) exposed++;
    }
    return exposed;
  }

  /** Seconds between decisions, as the policy has measured them. */
  tickSeconds = 15;
}
