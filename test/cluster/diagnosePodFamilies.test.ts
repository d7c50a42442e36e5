// The pod-side families on the real control plane, end to end: the manifest is applied, the product
// opens the incident on the object the user edits, the cause names the field on its manifest line,
// and the suggested fix (or the hand edit the advice describes) resolves it. Admission is real: Pod
// Security by namespace label, a LimitRange, a ValidatingAdmissionPolicy in the API server.
// Runs beside other test files: its own scratch namespaces; its admission policy binds only to its namespace.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { applyEdit, editField } from '../../src/core/manifest/manifestEdit';
import { MERGE_PATCH, kubeConfig, waitFor } from '../harness/kubeKit';
import { applyManifest, scenarioSuite, type Scenario } from './diagnoseKit';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
const policies: string[] = [];
after(async () => {
  for (const name of policies) {
    await admission.deleteValidatingAdmissionPolicyBinding({ name }).catch(() => undefined);
    await admission.deleteValidatingAdmissionPolicy({ name }).catch(() => undefined);
  }
});

function web(spec: string, extra = ''): string {
  return `${extra}apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
${spec}`;
}

const missingConfigMap = web(`      containers:
        - name: web
          image: registry.example/shop/web:1.0
          volumeMounts:
            - name: config
              mountPath: /etc/web
      volumes:
        - name: config
          configMap:
            name: app-config
`);

const secretWithoutKey = `apiVersion: v1
kind: Secret
metadata:
  name: tls
stringData:
  tls.crt: cert
---
apiVersion: batch/v1
kind: Job
metadata:
  name: rotate
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: rotate
          image: registry.example/ops/rotate:1.0
          volumeMounts:
            - name: certs
              mountPath: /certs
      volumes:
        - name: certs
          secret:
            secretName: tls
            items:
              - key: tls.crt
                path: tls.crt
              - key: ca.crt
                path: ca.crt
`;

const privileged = web(`      containers:
        - name: web
          image: registry.example/shop/web:1.0
          securityContext:
            privileged: true
`);

const overLimit = web(
  `      containers:
        - name: web
          image: registry.example/shop/web:1.0
          resources:
            limits:
              memory: 1Gi
`,
  `apiVersion: v1
kind: LimitRange
metadata:
  name: container-bounds
spec:
  limits:
    - type: Container
      max:
        memory: 512Mi
---
`,
);

const noAccount = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      serviceAccountName: robot
      containers:
        - name: db
          image: registry.example/shop/db:1.0
`;

const latestTag = web(`      containers:
        - name: web
          image: registry.example/shop/web:latest
`);

const initFails = web(`      initContainers:
        - name: migrate
          image: registry.example/shop/migrate:1.0
          command: ["./migrate", "--up"]
      containers:
        - name: web
          image: registry.example/shop/web:1.0
`).replace(
  '        app: web\n    spec:',
  '        app: web\n      annotations:\n        sim.nimbusguard.dev/init-exit-code: "3"\n    spec:',
);

const privatePull = web(`      imagePullSecrets:
        - name: regcred
      containers:
        - name: web
          image: private.registry.example/shop/web:1.0
`);

const registryCreds = `apiVersion: v1
kind: Secret
metadata:
  name: registry-creds
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"private.registry.example":{"auth":"dXNlcjpwYXNz"}}}'
---
`;

const rolloutV1 = web(`      containers:
        - name: web
          image: registry.example/shop/web:1.0
`);
const rolloutV2 = rolloutV1.replace(
  'image: registry.example/shop/web:1.0',
  'image: registry.example/shop/web:1.1-crashes',
);

/** Waits until the Deployment's newest ReplicaSet has every replica ready and the older ones are at 0. */
async function rolledOut(namespace: string, name: string, image: string): Promise<void> {
  await waitFor(
    `${name} rolled out with ${image}`,
    async () => {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      const sets = (await apps.listNamespacedReplicaSet({ namespace })).items.filter((rs) =>
        rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid),
      );
      const current = sets.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === image);
      return (
        current !== undefined &&
        (current.status?.readyReplicas ?? 0) >= 1 &&
        sets.every((rs) => rs === current || (rs.spec?.replicas ?? 0) === 0)
      );
    },
    90_000,
    250,
  );
}

const scenarios: Scenario[] = [
  {
    label: 'PodSetupFailed (ConfigMap volume)',
    title:
      'PodSetupFailed: a ConfigMap volume whose ConfigMap is missing names the volume and the ConfigMap; marking it optional resolves it',
    prefix: 'pods-cmvol',
    manifest: missingConfigMap,
    incident: { type: 'PodSetupFailed', kind: 'Deployment', name: 'web' },
    category: 'pod-setup',
    fields: [{ path: 'spec.template.spec.volumes[name=config].configMap.name', line: 'name: app-config' }],
    fix: 'edit',
    fixIndex: 1,
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /ConfigMap app-config does not exist, so volume config of Deployment web cannot mount/,
      );
      assert.match(cause.fixes[0]!.summary, /Create ConfigMap app-config in namespace/);
      assert.deepEqual(cause.fixes[1]!.edits, [
        { path: 'spec.template.spec.volumes[name=config].configMap.optional', value: true, previous: false },
      ]);
    },
    timeoutMs: 180_000,
  },
  {
    label: 'PodSetupFailed (Secret key, Job)',
    title:
      'PodSetupFailed: a Job whose Secret volume lists a key the Secret lacks; adding the key by hand lets the Job run',
    prefix: 'pods-seckey',
    manifest: secretWithoutKey,
    incident: { type: 'PodSetupFailed', kind: 'Job', name: 'rotate' },
    category: 'pod-setup',
    fields: [{ path: 'spec.template.spec.volumes[name=certs].secret.items', line: 'items:' }],
    fix: 'advice',
    checkCause: (cause) =>
      assert.match(
        cause.summary,
        /key ca\.crt of Secret tls does not exist, so volume certs of Job rotate cannot mount/,
      ),
    byHand: {
      describe: 'key ca.crt added to the Secret',
      edit: (m) => m.replace('  tls.crt: cert\n', '  tls.crt: cert\n  ca.crt: ca\n'),
    },
    timeoutMs: 180_000,
  },
  {
    label: 'PodCreationRejected (Pod Security)',
    title: 'PodCreationRejected: Pod Security baseline rejects a privileged container; the fix sets privileged=false',
    prefix: 'pods-pss',
    manifest: privileged,
    setup: async (namespace) => {
      await core.patchNamespace(
        { name: namespace, body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } } },
        MERGE_PATCH,
      );
      await applyManifest(kc, privileged, namespace);
      return privileged;
    },
    incident: { type: 'PodCreationRejected', kind: 'Deployment', name: 'web' },
    category: 'admission',
    fields: [{ path: 'spec.template.spec.containers[name=web].securityContext.privileged', line: 'privileged: true' }],
    fix: 'edit',
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /Pod Security level "baseline:latest" enforced in namespace \S+ rejects the pods: privileged \(container "web" must not set securityContext\.privileged=true\)/,
      );
      assert.deepEqual(cause.fixes[0]!.edits, [
        { path: 'spec.template.spec.containers[name=web].securityContext.privileged', value: false },
      ]);
    },
    timeoutMs: 150_000,
  },
  {
    label: 'PodCreationRejected (LimitRange)',
    title: 'PodCreationRejected: a memory limit above the LimitRange maximum; the fix lowers it to the maximum',
    prefix: 'pods-limits',
    manifest: overLimit,
    incident: { type: 'PodCreationRejected', kind: 'Deployment', name: 'web' },
    category: 'admission',
    fields: [{ path: 'spec.template.spec.containers[name=web].resources.limits.memory', line: 'memory: 1Gi' }],
    fix: 'edit',
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /LimitRange container-bounds rejects the pods: maximum memory per Container is 512Mi but the limit is 1Gi/,
      );
      assert.deepEqual(cause.fixes[0]!.edits, [
        { path: 'spec.template.spec.containers[name=web].resources.limits.memory', value: '512Mi', previous: '1Gi' },
      ]);
    },
    timeoutMs: 150_000,
  },
  {
    label: 'PodCreationRejected (ServiceAccount)',
    title:
      'PodCreationRejected: a StatefulSet running as a ServiceAccount that does not exist; creating it by hand resolves it',
    prefix: 'pods-sa',
    manifest: noAccount,
    incident: { type: 'PodCreationRejected', kind: 'StatefulSet', name: 'db' },
    category: 'admission',
    fields: [{ path: 'spec.template.spec.serviceAccountName', line: 'serviceAccountName: robot' }],
    fix: 'advice',
    checkCause: (cause) => assert.match(cause.summary, /ServiceAccount robot does not exist in namespace/),
    byHand: {
      describe: 'ServiceAccount robot created',
      edit: (m) => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: robot\n---\n${m}`,
    },
    timeoutMs: 240_000,
  },
  {
    label: 'PodCreationRejected (ValidatingAdmissionPolicy)',
    title:
      'PodCreationRejected: a ValidatingAdmissionPolicy denies :latest images; the cause quotes it and names the containers; pinning the tag by hand resolves it',
    prefix: 'pods-vap',
    manifest: latestTag,
    setup: async (namespace) => {
      const name = `no-latest-${namespace}`;
      policies.push(name);
      await admission.createValidatingAdmissionPolicy({
        body: {
          metadata: { name },
          spec: {
            failurePolicy: 'Fail',
            matchConstraints: {
              resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
            },
            validations: [{ expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))" }],
          },
        },
      });
      await admission.createValidatingAdmissionPolicyBinding({
        body: {
          metadata: { name },
          spec: {
            policyName: name,
            validationActions: ['Deny'],
            matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
          },
        },
      });
      // The policy is enforced once the API server has compiled it: probe with a dry-run pod.
      await waitFor(
        'the policy to deny',
        async () => {
          try {
            await core.createNamespacedPod({
              namespace,
              dryRun: 'All',
              body: {
                metadata: { name: 'probe' },
                spec: { containers: [{ name: 'c', image: 'registry.example/x:latest' }] },
              },
            });
            return false;
          } catch (error) {
            return /denied request/.test(String((error as { body?: unknown }).body ?? error));
          }
        },
        30_000,
        500,
      );
      await applyManifest(kc, latestTag, namespace);
      return latestTag;
    },
    incident: { type: 'PodCreationRejected', kind: 'Deployment', name: 'web' },
    category: 'admission',
    fields: [{ path: 'spec.template.spec.containers', line: 'containers:' }],
    fix: 'advice',
    checkCause: (cause) =>
      assert.match(
        cause.summary,
        /ValidatingAdmissionPolicy no-latest-\S+ \(binding no-latest-\S+\) denies the pods: failed expression: object\.spec\.containers\.all/,
      ),
    byHand: {
      describe: 'image tag pinned by hand',
      edit: (m) =>
        applyEdit(
          m,
          editField(m, 0, 'spec.template.spec.containers[name=web].image', 'registry.example/shop/web:1.0')!,
        ),
    },
    timeoutMs: 150_000,
  },
  {
    label: 'ContainerFailed (init container)',
    title:
      'ContainerFailed: an init container that exits 3 keeps the pods from starting; once it succeeds the incident resolves',
    prefix: 'pods-init',
    manifest: initFails,
    incident: { type: 'ContainerFailed', kind: 'Deployment', name: 'web' },
    category: 'container-failed',
    fields: [
      { path: 'spec.template.spec.initContainers[name=migrate].command', line: 'command: ["./migrate", "--up"]' },
    ],
    fix: 'advice',
    checkCause: (cause) => assert.match(cause.summary, /init container migrate of Deployment web exited with code 3/),
    byHand: {
      describe: 'migration fixed (exit code 0)',
      edit: (m) => m.replace('init-exit-code: "3"', 'init-exit-code: "0"'),
    },
    timeoutMs: 150_000,
  },
  {
    label: 'PullSecretMissing',
    title:
      'PullSecretMissing: a private image whose imagePullSecret does not exist; pointing it at the Secret that does resolves it',
    prefix: 'pods-pull',
    manifest: `${registryCreds}${privatePull}`,
    incident: { type: 'PullSecretMissing', kind: 'Deployment', name: 'web' },
    category: 'pull-secret',
    fields: [{ path: 'spec.template.spec.imagePullSecrets', line: 'imagePullSecrets:' }],
    fix: 'advice',
    checkCause: (cause) =>
      assert.match(
        cause.summary,
        /imagePullSecret regcred of Deployment web does not exist in namespace \S+, so the image cannot be pulled/,
      ),
    byHand: {
      describe: 'reference corrected to registry-creds by hand',
      edit: (m) => m.replace('        - name: regcred', '        - name: registry-creds'),
    },
    timeoutMs: 200_000,
  },
  {
    label: 'RolloutRegression (after readiness)',
    title:
      'RolloutRegression: a rollout that completed and then crashes is a regression, not a plain crash loop; rolling back resolves both',
    prefix: 'pods-regress',
    manifest: rolloutV2,
    setup: async (namespace) => {
      await applyManifest(kc, rolloutV1, namespace);
      await rolledOut(namespace, 'web', 'registry.example/shop/web:1.0');
      await applyManifest(kc, rolloutV2, namespace);
      await rolledOut(namespace, 'web', 'registry.example/shop/web:1.1-crashes');
      return rolloutV2;
    },
    incident: { type: 'RolloutRegression', kind: 'Deployment', name: 'web' },
    companions: ['CrashLoopBackOff'],
    category: 'bad-rollout',
    fields: [
      { path: 'spec.template.spec.containers[name=web].image', line: 'image: registry.example/shop/web:1.1-crashes' },
    ],
    fix: 'rollback',
    checkCause: (cause) => {
      assert.equal(cause.fixes[0]!.rollbackToRevision, 1);
      assert.match(
        cause.summary,
        /revision 2 fails .*image changed from registry\.example\/shop\/web:1\.0 to registry\.example\/shop\/web:1\.1-crashes; revision 1 served until the rollout scaled it to 0/,
      );
    },
    manifestAfterFix: rolloutV1,
    timeoutMs: 200_000,
  },
];

scenarioSuite('pod-side failure families, diagnosed and fixed on the real control plane', kc, scenarios);
