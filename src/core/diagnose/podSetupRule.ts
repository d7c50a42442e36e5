// PodSetupFailed: the kubelet cannot mount a volume or create the sandbox. The event names the
// volume and, for ConfigMap/Secret volumes, the missing object or key; the fix points at it (the
// rule creates nothing) or marks the volume optional when the app can start without its files.
import type { Evidence } from '../model/incident';
import type { PodVolume } from '../model/resources';
import type { SuggestedFix } from '../model/rootCause';
import {
  claimLookup,
  describeFailure,
  resolveVolume,
  setupFailureFrom,
  type SetupFailure,
} from '../detect/podSetupFailed';
import { fieldName } from '../detect/support';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, podsOf, prefixFor, q, specEvidence, templateOf, type Diagnosis } from './ruleSupport';

function sourceField(volumePath: string, v: PodVolume): string {
  return v.kind === 'Secret'
    ? `${volumePath}.secret.secretName`
    : v.kind === 'ConfigMap'
      ? `${volumePath}.configMap.name`
      : volumePath;
}

function diagnoseSetup(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const at = templateOf(snapshot, incident.workload);
  const volumes = at?.template.volumes ?? podsOf(snapshot, incident.workload)[0]?.spec.volumes ?? [];
  const prefix = at?.prefix ?? prefixFor(incident.workload.kind);
  const events = incident.evidence.filter((e) => e.kind === 'event' && e.reason);
  let failure: SetupFailure | undefined;
  let message = '';
  for (const e of events) {
    const parsed = setupFailureFrom(e.reason!, e.text);
    if (parsed && (!failure || parsed.problem === 'missing-object' || parsed.problem === 'missing-key')) {
      failure = resolveVolume(parsed, volumes, claimLookup(snapshot, incident.workload.namespace));
      message = e.text;
    }
  }
  if (!failure) return undefined;
  const ns = incident.workload.namespace;
  const owner = `${incident.workload.kind} ${q(incident.workload.name)}`;
  const v = failure.volume ? volumes.find((x) => x.name === failure!.volume) : undefined;
  const volumePath = failure.volume ? `${prefix}.volumes[name=${fieldName(failure.volume)}]` : undefined;
  const base = {
    category: 'pod-setup' as const,
    evidence: [...events, ...incident.evidence.filter((e) => e.kind !== 'event')],
  };

  if ((failure.problem === 'missing-object' || failure.problem === 'missing-key') && failure.missing) {
    const m = failure.missing;
    const kindPath = m.kind === 'Secret' ? 'secret' : 'configMap';
    const fields =
      volumePath && v
        ? [m.key ? `${volumePath}.${kindPath}.items` : sourceField(volumePath, v), volumePath]
        : volumePath
          ? [volumePath]
          : [];
    const what = m.key ? `key ${q(m.key)} of ${m.kind} ${q(m.name)}` : `${m.kind} ${q(m.name)}`;
    const fixes: SuggestedFix[] = [
      {
        summary: m.key
          ? `Add key ${q(m.key)} to ${m.kind} ${q(m.name)} in namespace ${q(ns)}, or drop it from ${volumePath ?? 'the volume'}'s items`
          : `Create ${m.kind} ${q(m.name)} in namespace ${q(ns)}, or correct ${volumePath && v ? sourceField(volumePath, v) : 'the volume'} if the name is wrong`,
      },
    ];
    // A Job's or a bare pod's template cannot be changed in place; there the fix is the object itself.
    const editable = !['Job', 'Pod'].includes(incident.workload.kind);
    if (editable && volumePath && v && (v.kind === 'ConfigMap' || v.kind === 'Secret') && !v.optional) {
      fixes.push({
        summary: `Mark volume ${q(v.name)} optional if ${q(incident.workload.name)} can start without ${m.key ? 'that file' : 'its files'}`,
        edits: [{ path: `${volumePath}.${kindPath}.optional`, value: true, previous: false }],
      });
    }
    const ref: Evidence | undefined =
      volumePath && v
        ? specEvidence(
            incident.workload,
            volumePath,
            `volume ${v.name} from ${v.kind} ${v.source}${v.keys.length > 0 ? `, items ${v.keys.join(', ')}` : ''}`,
          )
        : undefined;
    return diagnosis({
      ...base,
      summary: `${what} does not exist, so volume ${q(failure.volume ?? '?')} of ${owner} cannot mount`,
      explanation: `${owner} mounts ${m.kind} ${q(m.name)} as volume ${q(failure.volume ?? '?')}${m.key ? ` and lists key ${q(m.key)} under items` : ''}, and the kubelet reports ${m.key ? 'the key' : 'it'} missing: ${q(message, 300)}. Until it exists the pods stay in ContainerCreating (running pods would not start again). Create it in namespace ${q(ns)}, correct the reference, or mark the volume optional if the app copes without it.`,
      confidence: 0.9,
      fields,
      evidence: [ref, ...base.evidence],
      fixes,
    });
  }

  if (failure.problem === 'multi-attach') {
    const claim = v?.kind === 'PersistentVolumeClaim' ? v.source : undefined;
    return diagnosis({
      ...base,
      summary: `volume ${q(failure.volume ?? '?')}${claim ? ` (claim ${q(claim)})` : ''} of ${owner} is still attached to another node (Multi-Attach)`,
      explanation: `A ReadWriteOnce volume can be attached to one node at a time. A pod on another node still holds it (a rolling update that surges a new pod, or a node that went away without detaching). Let the old pod finish, use the Recreate strategy for single-writer Deployments, or a ReadWriteMany volume. Message: ${q(message, 300)}`,
      confidence: 0.8,
      fields: [volumePath, incident.workload.kind === 'Deployment' ? 'spec.strategy.type' : undefined],
      fixes: [
        {
          summary:
            incident.workload.kind === 'Deployment'
              ? 'Switch spec.strategy to Recreate so the old pod releases the volume before the new one starts'
              : 'Delete the pod that still holds the volume on the other node, or wait for its node to detach it',
        },
      ],
    });
  }

  if (failure.problem === 'sandbox') {
    const node = podsOf(snapshot, incident.workload).find((p) => p.nodeName)?.nodeName;
    return diagnosis({
      ...base,
      summary: `the container runtime cannot create the pod sandbox of ${owner}${node ? ` on node ${q(node)}` : ''}: ${q(message, 160)}`,
      explanation: `Before any container starts, the runtime creates the pod sandbox and asks the CNI plugin for its network. That step fails, so the pods never leave ContainerCreating. This is a node or network plugin problem, not the workload's spec: check the CNI plugin's pods and logs${node ? ` on node ${q(node)}` : ''}.`,
      confidence: 0.75,
      fields: [],
      fixes: [
        {
          summary: `Check the CNI plugin${node ? ` on node ${q(node)}` : ''} (its DaemonSet's pods and logs); cordon the node if only it is affected`,
        },
      ],
    });
  }

  return diagnosis({
    ...base,
    summary: `${describeFailure(failure)} for ${owner}: ${q(message, 160)}`,
    explanation:
      failure.problem === 'csi'
        ? `The CSI driver that serves volume ${q(failure.volume ?? '?')} reports an error, so the pods cannot start. Check that the driver is installed and running on the node, and its logs.`
        : `The kubelet cannot attach or mount volume ${q(failure.volume ?? '?')}, so the pods cannot start: ${q(message, 300)}`,
    confidence: failure.problem === 'csi' ? 0.7 : 0.55,
    fields: [volumePath],
    fixes: [
      {
        summary:
          failure.problem === 'csi'
            ? `Check the CSI driver${v?.kind === 'CSI' ? ` ${q(v.source)}` : ''} on the node (its pods and logs)`
            : `Check volume ${q(failure.volume ?? '?')} and what backs it`,
      },
    ],
  });
}

export const podSetupRule: DiagnosisRule = {
  types: ['PodSetupFailed'],
  diagnose: diagnoseSetup,
};
