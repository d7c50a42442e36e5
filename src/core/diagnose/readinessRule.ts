// Readiness probe failing: the probe's configuration against what its failures say — nothing
// listening on the port, a wrong path, a timeout too short, or the app reporting itself unready.
import type { Probe } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { clip } from '../detect/support';
import { podEvents } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, incidentContainer, podsOf, q, templateOf, type Diagnosis } from './ruleSupport';

export type ProbeFailure = 'refused' | 'timeout' | 'not-found' | 'server-error' | 'exec' | 'unknown';

export function probeFailure(text: string): { kind: ProbeFailure; status?: number } {
  const t = text.slice(0, 2000).toLowerCase();
  if (t.includes('connection refused')) return { kind: 'refused' };
  if (t.includes('deadline exceeded') || t.includes('timeout') || t.includes('timed out')) return { kind: 'timeout' };
  const code = /statuscode: (\d{3})/.exec(t);
  if (code) {
    const status = Number(code[1]);
    return { kind: status === 404 ? 'not-found' : status >= 500 ? 'server-error' : 'unknown', status };
  }
  if (t.includes('command') || t.includes('exec') || t.includes('oci runtime')) return { kind: 'exec' };
  return { kind: 'unknown' };
}

function probeText(p: Probe): string {
  return `${p.target || p.type}, initialDelay ${p.initialDelaySeconds}s, period ${p.periodSeconds}s, timeout ${p.timeoutSeconds}s, failureThreshold ${p.failureThreshold}`;
}

function diagnoseReadiness(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident, now } = ctx;
  const at = templateOf(snapshot, incident.workload);
  const c = incidentContainer(ctx, at);
  const probe = c?.spec.readinessProbe;
  const name = c?.spec.name ?? incident.key ?? '';
  const pods = podsOf(snapshot, incident.workload);
  const events = podEvents(snapshot, pods, ['Unhealthy'], now, (e) => e.message.includes('Readiness probe'), 3);
  const eventTexts = [...events, ...incident.evidence.filter((e) => e.kind === 'event')].map((e) => e.text);
  const failure = probeFailure(eventTexts.join('\n'));
  const path = c ? `${c.path}.readinessProbe` : undefined;
  const target = probe ? q(probe.target || probe.type, 80) : 'the probe';
  const edits: SpecEdit[] = [];
  let summary: string;
  let explanation: string;
  let confidence: number;
  let fields: string[] = path ? [path] : [];
  let fix: SuggestedFix;
  switch (failure.kind) {
    case 'refused':
      summary = `readiness probe ${target} gets "connection refused": nothing listens on the probed port of ${q(name)}`;
      explanation =
        'The container runs but no process accepts connections on the port the probe checks: the probe port is wrong, the app listens on another port or address (e.g. 127.0.0.1 only), or it has not finished starting.';
      confidence = 0.75;
      fix = { summary: `Point the readiness probe of ${q(name)} at the port the app listens on` };
      break;
    case 'timeout':
      summary = `readiness probe ${target} times out after ${probe?.timeoutSeconds ?? '?'}s`;
      explanation =
        'The endpoint answers too slowly for the probe timeout, or not at all. A slow dependency behind the readiness check does this too.';
      confidence = 0.7;
      if (path && probe) {
        edits.push({
          path: `${path}.timeoutSeconds`,
          value: Math.max(5, probe.timeoutSeconds * 3),
          previous: probe.timeoutSeconds,
        });
        fields = [`${path}.timeoutSeconds`, ...fields];
      }
      fix =
        edits.length > 0
          ? {
              summary: `Raise the readiness probe timeout to ${edits[0]!.value}s, or make the endpoint answer faster`,
              edits,
            }
          : { summary: 'Make the readiness endpoint answer within the timeout' };
      break;
    case 'not-found':
      summary = `readiness probe ${target} gets HTTP 404: the probed path does not exist in ${q(name)}`;
      explanation =
        'The app answers, but not on the path the probe requests. The path is mistyped or the app serves its health check elsewhere.';
      confidence = 0.8;
      fields = path ? [`${path}.httpGet.path`, path] : [];
      fix = { summary: `Set the readiness probe path of ${q(name)} to the app's health endpoint` };
      break;
    case 'server-error':
      summary = `${q(name)} answers its readiness probe ${target} with HTTP ${failure.status}: the app reports itself unready`;
      explanation =
        'The probe reaches the app and the app says it is not ready, typically because a dependency (database, cache, downstream service) is unavailable. The probe configuration is likely fine.';
      confidence = 0.6;
      fix = {
        summary: `Check what the readiness endpoint of ${q(name)} depends on; its logs say which dependency fails`,
      };
      break;
    default:
      summary = `readiness probe ${target} of ${q(name)} keeps failing${eventTexts[0] ? `: ${q(eventTexts[0], 160)}` : ''}`;
      explanation = 'The container runs but never passes its readiness probe.';
      confidence = eventTexts.length > 0 ? 0.55 : 0.45;
      fix = { summary: `Compare the readiness probe of ${q(name)} with how the app reports readiness` };
  }
  return diagnosis({
    category: 'readiness-probe',
    summary,
    explanation: `${explanation}${probe ? ` Probe: ${q(probeText(probe), 200)}.` : ''}`,
    confidence,
    fields,
    evidence: [
      path && probe
        ? { kind: 'spec', source: incident.workload, field: path, text: clip(`readinessProbe ${probeText(probe)}`) }
        : undefined,
      ...events,
      ...incident.evidence,
    ],
    fixes: [fix],
  });
}

export const readinessRule: DiagnosisRule = {
  types: ['ReadinessProbeFailing'],
  diagnose: diagnoseReadiness,
};
