// The ledger's JSON lines folded into one record per change, newest first, and the questions a
// rollback asks of it (which change last wrote a field).
import { LEDGER_VERSION, type ChangeRecord, type LedgerEntry } from '../model/proposal';

/** Parses ledger text; malformed or unknown-version lines are skipped and counted, never fatal. */
export function parseLedger(text: string): { entries: LedgerEntry[]; skipped: number } {
  const entries: LedgerEntry[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as LedgerEntry;
      if (e && e.v === LEDGER_VERSION && typeof e.changeId === 'string' && typeof e.type === 'string') entries.push(e);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  return { entries, skipped: skippedLines };
}

/**
 * One record per change, newest first. The "cluster only" marker follows the change: a `manifest`
 * entry sets it (the editor found the manifest holding the change, or no longer); a rolled-back
 * change carries none (the cluster no longer holds it); and a rollback of a change the manifest
 * never held brings the cluster back to the manifest, so it is not "cluster only" either.
 */
export function foldLedger(entries: readonly LedgerEntry[]): ChangeRecord[] {
  const byId = new Map<string, ChangeRecord>();
  const markedByEditor = new Set<string>();
  for (const e of entries) {
    if (e.type === 'intent') {
      byId.set(e.changeId, {
        id: e.changeId,
        status: 'pending',
        at: e.at,
        who: e.who,
        context: e.context,
        server: e.server,
        proposal: e.proposal,
        verdict: e.verdict,
        plan: e.plan,
        before: e.before,
        ...(e.beforeTemplate ? { beforeTemplate: e.beforeTemplate } : {}),
        ...(e.rollbackOf ? { rollbackOf: e.rollbackOf } : {}),
      });
      continue;
    }
    const c = byId.get(e.changeId);
    if (!c) continue;
    if (e.type === 'applied') {
      c.status = c.status === 'rolled-back' ? c.status : 'applied';
      c.after = e.after;
      if (e.afterTemplate) c.afterTemplate = e.afterTemplate;
      c.manifest = e.manifest;
    } else if (e.type === 'failed') {
      c.status = 'failed';
      c.error = e.error;
    } else if (e.type === 'outcome') {
      c.outcome = e.outcome;
    } else if (e.type === 'rolledBack') {
      c.status = 'rolled-back';
      c.rolledBackBy = e.by;
    } else if (e.type === 'manifest') {
      c.manifest = e.manifest;
      markedByEditor.add(c.id);
    }
  }
  for (const c of byId.values()) {
    const original = c.rollbackOf ? byId.get(c.rollbackOf) : undefined;
    if (original?.manifest === 'cluster-only' && c.manifest === 'cluster-only' && !markedByEditor.has(c.id))
      c.manifest = 'matches';
  }
  for (const c of byId.values()) if (c.status === 'rolled-back') delete c.manifest;
  return [...byId.values()].sort((a, b) => b.at.localeCompare(a.at));
}

/** Intents with no applied/failed result: a crash between the intent and the write's answer. */
export function unfinishedIntents(changes: readonly ChangeRecord[]): ChangeRecord[] {
  return changes.filter((c) => c.status === 'pending');
}

/**
 * Applied changes on the same object that touched one of the change's fields after it: only the
 * newest change of a field can be undone without --force.
 */
export function laterChangesOnFields(changes: readonly ChangeRecord[], change: ChangeRecord): ChangeRecord[] {
  const fields = new Set(change.proposal.fields);
  return changes.filter(
    (c) =>
      c.id !== change.id &&
      c.status === 'applied' &&
      c.at > change.at &&
      c.plan.target.uid === change.plan.target.uid &&
      c.proposal.fields.some((f) => fields.has(f) || f === 'spec.template' || fields.has('spec.template')) &&
      c.rollbackOf !== change.id,
  );
}
