// The two messages sent to the model. The user message is the rule-based root cause as JSON,
// masked when masking is on; the system message fixes the role, the limits and the answer format.
import type { Incident } from '../../core/model/incident';
import type { RootCause } from '../../core/model/rootCause';
import { LLM_ANSWER_JSON_SCHEMA, MAX_EXPLANATION_CHARS, MAX_HYPOTHESES, MAX_HYPOTHESIS_CHARS } from './schema';
import type { Masker } from './masking';

const PLACEHOLDER_RULE =
  'Names such as <ns-1>, <workload-1>, <pod-1>, <container-1>, <image-1>, <host-1>, <ip-1> or <node-1> are placeholders: ' +
  'copy them exactly as written and never guess what they stand for.';

/** The system message; the placeholder rule is only there when the user message is masked. */
export function systemPrompt(masked: boolean): string {
  return [
    'You explain Kubernetes incidents to a software developer who owns the workload.',
    'You receive the root cause a rule engine found, with its evidence, the spec fields it implicates and the fixes it proposes.',
    'Rewrite the explanation so the developer understands what happened and why, in plain words, in at most ' +
      `${MAX_EXPLANATION_CHARS} characters.`,
    'Stay consistent with the evidence: do not contradict it and do not state facts it does not support.',
    `If the evidence leaves room for other causes, list up to ${MAX_HYPOTHESES} short hypotheses (at most ${MAX_HYPOTHESIS_CHARS} characters each), ` +
      'phrased as possibilities to check; otherwise return an empty list.',
    'Do not invent actions, commands or fixes beyond the ones given; never tell the reader to run anything against the cluster.',
    ...(masked ? [PLACEHOLDER_RULE] : []),
    'Answer with one JSON object only, no prose and no code fence, matching this JSON Schema:',
    JSON.stringify(LLM_ANSWER_JSON_SCHEMA),
  ].join('\n');
}

export interface PromptMessages {
  system: string;
  user: string;
}

export function rootCausePayload(rootCause: RootCause, incident: Incident) {
  return {
    incident: {
      type: rootCause.incidentType,
      severity: incident.severity,
      workload: { kind: incident.workload.kind, namespace: incident.workload.namespace, name: incident.workload.name },
      summary: incident.summary,
    },
    rootCause: {
      category: rootCause.category,
      summary: rootCause.summary,
      explanation: rootCause.explanation,
      confidence: rootCause.confidence,
      fields: rootCause.fields,
      evidence: rootCause.evidence.map((e) => ({
        kind: e.kind,
        source: { kind: e.source.kind, namespace: e.source.namespace, name: e.source.name },
        ...(e.field !== undefined ? { field: e.field } : {}),
        text: e.text,
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
        ...(e.count !== undefined ? { count: e.count } : {}),
        ...(e.firstSeen !== undefined ? { firstSeen: e.firstSeen } : {}),
        ...(e.lastSeen !== undefined ? { lastSeen: e.lastSeen } : {}),
      })),
      fixes: rootCause.fixes.map((f) => ({
        summary: f.summary,
        ...(f.edits ? { edits: f.edits } : {}),
        ...(f.rollbackToRevision !== undefined ? { rollbackToRevision: f.rollbackToRevision } : {}),
        ...(f.target ? { target: { kind: f.target.kind, namespace: f.target.namespace, name: f.target.name } } : {}),
      })),
    },
  };
}

/** Builds the messages; with a masker every string value is masked, the JSON keys stay readable. */
export function buildPrompt(rootCause: RootCause, incident: Incident, masker?: Masker): PromptMessages {
  const payload = rootCausePayload(rootCause, incident);
  const user = JSON.stringify(masker ? masker.maskValue(payload) : payload, null, 2);
  return { system: systemPrompt(masker !== undefined), user };
}
