// PullSecretMissing: the pod template (or its ServiceAccount) names an imagePullSecret that does
// not exist. The fix creates nothing: it names the Secret to create and where the reference is.
import type { ObjectRef } from '../model/resources';
import { pullSecretsFrom } from '../detect/pullSecretMissing';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, podsOf, prefixFor, q, specEvidence, templateOf, type Diagnosis } from './ruleSupport';

function diagnosePullSecret(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const secrets = incident.key
    ? incident.key.split(',')
    : incident.evidence.flatMap((e) => (e.kind === 'event' ? pullSecretsFrom(e.text) : []));
  if (secrets.length === 0) return undefined;
  const at = templateOf(snapshot, incident.workload);
  const prefix = at?.prefix ?? prefixFor(incident.workload.kind);
  const ns = incident.workload.namespace;
  const inTemplate = at ? secrets.filter((s) => at.template.imagePullSecrets.includes(s)) : secrets;
  const account =
    at?.template.serviceAccountName ?? podsOf(snapshot, incident.workload)[0]?.spec.serviceAccountName ?? 'default';
  const viaAccount = inTemplate.length === 0;
  const sa: ObjectRef = { kind: 'ServiceAccount', namespace: ns, name: account };
  const failing = incident.severity === 'critical';
  const names = secrets.map((s) => q(s)).join(', ');
  const field = `${prefix}.imagePullSecrets`;
  return diagnosis({
    category: 'pull-secret',
    summary: `imagePullSecret ${names} of ${incident.workload.kind} ${q(incident.workload.name)} does not exist in namespace ${q(ns)}${viaAccount ? ` (it comes from ServiceAccount ${q(account)})` : ''}${failing ? ', so the image cannot be pulled' : ''}`,
    explanation: `The kubelet looks up the pod's imagePullSecrets before pulling and cannot find ${names}. ${failing ? 'The registry refuses the pull without credentials, so the pods stay in ImagePullBackOff.' : 'The images pull without credentials for now, but a pull from a private registry (a new node, a new tag) will fail.'} Create the Secret (type kubernetes.io/dockerconfigjson) in namespace ${q(ns)}, or correct the name${viaAccount ? ` in ServiceAccount ${q(account)}'s imagePullSecrets` : ` in ${field}`}.`,
    confidence: 0.9,
    fields: viaAccount ? [] : [field],
    evidence: [
      viaAccount
        ? specEvidence(sa, 'imagePullSecrets', `ServiceAccount ${account} adds ${secrets.join(', ')}`)
        : specEvidence(incident.workload, field, `imagePullSecrets: ${secrets.join(', ')}`),
      ...incident.evidence,
    ],
    fixes: [
      {
        summary: `Create Secret ${names} in namespace ${q(ns)} (kubectl create secret docker-registry ${q(secrets[0])} …), or correct the name in ${viaAccount ? `ServiceAccount ${q(account)}` : field}`,
        ...(viaAccount ? { target: sa } : {}),
      },
    ],
  });
}

export const pullSecretRule: DiagnosisRule = {
  types: ['PullSecretMissing'],
  diagnose: diagnosePullSecret,
};
