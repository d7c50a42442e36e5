// A notification for each new critical incident, rate-limited so a bad rollout across many
// workloads produces one message, not twenty.
import * as vscode from 'vscode';
import type { Incident } from '../core/model/incident';
import { COMMANDS } from './commandIds';

export class CriticalIncidentNotifier {
  private lastShown = 0;
  private suppressed = 0;

  constructor(
    private readonly enabled: () => boolean,
    private readonly minIntervalMs = 60_000,
  ) {}

  notify(opened: Incident[]): void {
    const critical = opened.filter((i) => i.severity === 'critical');
    if (critical.length === 0 || !this.enabled()) return;
    const now = Date.now();
    if (now - this.lastShown < this.minIntervalMs) {
      this.suppressed += critical.length;
      return;
    }
    this.lastShown = now;
    const first = critical[0]!;
    const more = critical.length - 1 + this.suppressed;
    this.suppressed = 0;
    const where = `${first.workload.kind} ${first.workload.namespace ? `${first.workload.namespace}/` : ''}${first.workload.name}`;
    const text = `NimbusGuard: ${first.type} in ${where}${more > 0 ? ` (and ${more} more critical incident${more === 1 ? '' : 's'})` : ''}.`;
    void vscode.window.showWarningMessage(text, 'Show Evidence', 'All Incidents').then((choice) => {
      if (choice === 'Show Evidence')
        void vscode.commands.executeCommand(COMMANDS.showEvidence, { type: 'incident', incident: first });
      if (choice === 'All Incidents') void vscode.commands.executeCommand(COMMANDS.showIncidentsPanel);
    });
  }
}
