// The pods a controller would have, as the benchmark's service runs them: created pods become ready one
// startup later, deletions take the youngest first (so starting pods go before ready ones).

export class ReplicaModel {
  /** Ready times of the pods in creation order (starting pods last). */
  private readonly readyAt: number[] = [];

  constructor(
    private readonly startupSeconds: number,
    initialReady: number,
  ) {
    for (let i = 0; i < initialReady; i++) this.readyAt.push(-Infinity);
  }

  get pods(): number {
    return this.readyAt.length;
  }

  /** Applies a decision at `t` and returns the ready count at `t` after it. */
  apply(t: number, desired: number): number {
    while (this.readyAt.length < desired) this.readyAt.push(t + this.startupSeconds);
    if (this.readyAt.length > desired) this.readyAt.length = desired;
    return this.readyBy(t);
  }

  /** Pods ready at `t` if none is deleted before then. */
  readyBy(t: number): number {
    let notReady = 0;
    for (let k = this.readyAt.length - 1; k >= 0 && this.readyAt[k]! > t; k--) notReady++;
    return this.readyAt.length - notReady;
  }

  /** Pods ready at `t` if the count were cut to `pods` now (youngest first) and nothing changed after. */
  readyByIf(t: number, pods: number): number {
    return Math.min(this.readyBy(t), pods);
  }
}
