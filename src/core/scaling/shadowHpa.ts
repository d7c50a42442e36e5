// The Kubernetes HPA run alongside a policy on the same observed demand, never applied: what it would
// have run (pods created, ready one startup later) and spent, and how often it would have violated the
// SLO. Everything it uses is what the policy has seen, so it is as causal as the policy itself.
import { HPA_DEFAULTS, HpaPolicy } from './hpaPolicy';
import type { Observation } from './policy';

export class ShadowHpa {
  private readonly hpa = new HpaPolicy();
  /** Ready times of its pods in creation order (starting pods last). */
  private readonly readyAt: number[] = [];
  private readyNow = 0;
  private podTicksTotal = 0;
  private violations = 0;
  private started = false;

  /**
   * @param startupSeconds from creating a pod to it being ready.
   * @param sloUtilization utilization above which an observed tick violates.
   */
  constructor(
    private readonly startupSeconds: number,
    private readonly sloUtilization: number,
  ) {}

  /** Pod-ticks it has run so far, its decision of this tick included. */
  get podTicks(): number {
    return this.podTicksTotal;
  }

  /** Ticks it would have violated, counted from one startup after the start. */
  get violatingTicks(): number {
    return this.violations;
  }

  get pods(): number {
    return this.readyAt.length;
  }

  /**
   * Its decision at `t`, given the newest observation the policy has (undefined at the very start),
   * the capacity per replica (undefined while unknown) and the replica bounds.
   */
  decide(
    t: number,
    initial: Observation,
    newest: Observation | undefined,
    capacity: number | undefined,
    min: number,
    max: number,
  ): number {
    if (!this.started) {
      for (let i = 0; i < initial.ready; i++) this.readyAt.push(-Infinity);
      this.readyNow = initial.ready;
      this.started = true;
    }
    let seen: Observation | undefined;
    if (newest) {
      // Without a known capacity the utilization is unknown, and an HPA missing its metric holds.
      let rho = HPA_DEFAULTS.targetUtilization;
      if (newest.rps <= 0) rho = 0;
      else if (this.readyNow <= 0) rho = Infinity;
      else if (capacity !== undefined) rho = newest.rps / (this.readyNow * capacity);
      seen = { t: newest.t, rps: newest.rps, ready: this.readyNow, rho };
      if (newest.t - initial.t >= this.startupSeconds && rho > this.sloUtilization) this.violations++;
    }
    const pods = this.readyAt.length;
    const want = this.hpa.decide({
      t,
      history: seen ? [seen] : [],
      initial,
      pods,
      ready: this.countReady(t),
      minReplicas: min,
      maxReplicas: max,
    });
    while (this.readyAt.length < want) this.readyAt.push(t + this.startupSeconds);
    if (this.readyAt.length > want) this.readyAt.length = want;
    this.readyNow = this.countReady(t);
    this.podTicksTotal += this.readyAt.length;
    return want;
  }

  private countReady(t: number): number {
    let notReady = 0;
    for (let k = this.readyAt.length - 1; k >= 0 && this.readyAt[k]! > t; k--) notReady++;
    return this.readyAt.length - notReady;
  }
}
