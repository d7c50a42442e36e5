// Suggested fixes as patches: spec edits become one strategic merge patch body, with containers
// (and other named list items) addressed by their merge key the way the API server merges them;
// the path grammar and the patch building live in model/fieldPath.
import type { Incident } from '../model/incident';
import type { ObjectRef } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { addToPatch, FieldPathError } from '../model/fieldPath';

/** A fix whose edits belong to another object than the incident's workload (SuggestedFix.target set). */
export type TargetedFix = SuggestedFix & { target: ObjectRef };

/** The object a fix's edits apply to: its own target when it names one, else the incident's workload. */
export function fixTarget(fix: SuggestedFix, incident: Pick<Incident, 'workload'>): ObjectRef {
  return fix.target ?? incident.workload;
}

/**
 * One strategic merge patch body for a list of edits, with `current` (the object as last read) for
 * paths through a list index. Edits the patch cannot express (a malformed path, one ending in a
 * list selector, an index without the current list) are left out; `editsPatch` says which and why.
 * A later edit of the same field wins.
 */
export function strategicMergePatch(edits: readonly SpecEdit[], current?: unknown): Record<string, unknown> {
  return editsPatch(edits, current).patch;
}

export interface EditsPatch {
  patch: Record<string, unknown>;
  /** Edits left out of the patch, with the reason. */
  skipped: { path: string; reason: string }[];
}

/** The patch for a list of edits, and the edits it could not express (so none is lost silently). */
export function editsPatch(edits: readonly SpecEdit[], current?: unknown): EditsPatch {
  const patch: Record<string, unknown> = {};
  const skipped: EditsPatch['skipped'] = [];
  for (const edit of edits) {
    try {
      addToPatch(patch, edit.path, edit.value, current);
    } catch (error) {
      if (!(error instanceof FieldPathError)) throw error;
      skipped.push({ path: String(edit.path), reason: error.message });
    }
  }
  return { patch, skipped };
}

/** The patch for one fix, or undefined when it has no edits (a rollback or advice). */
export function fixPatch(fix: SuggestedFix, current?: unknown): Record<string, unknown> | undefined {
  return fix.edits && fix.edits.length > 0 ? strategicMergePatch(fix.edits, current ?? fix.base) : undefined;
}
