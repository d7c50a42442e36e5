// The pure pieces a plan is made of: the hash that binds a confirmation, field images read from API
// objects and turned back into a restoring patch, masking of literal values, and who owns a field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../../../src/core/change/sha256';
import { imageDiff, patchFromImage, readField, readImage } from '../../../src/core/change/fieldImage';
import { maskFieldValue, maskTemplate, templateHash } from '../../../src/core/change/templates';
import { analyseOwnership, ownsPath } from '../../../src/core/change/ownership';

test('sha256Hex equals node:crypto on block boundaries and non-ASCII text', () => {
  for (const text of [
    '',
    'abc',
    'a'.repeat(55),
    'a'.repeat(56),
    'a'.repeat(64),
    'a'.repeat(119),
    'x'.repeat(1000),
    'grüße 🚀 日本',
  ]) {
    assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'), `length ${text.length}`);
  }
});

test('canonicalJson ignores key order and undefined members, keeps array order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } }), canonicalJson({ a: { d: [2, 1] }, b: 1 }));
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
});

const deployment = {
  metadata: { name: 'api' },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'api', 'pod-template-hash': 'abc' } },
      spec: {
        containers: [
          {
            name: 'api',
            image: 'a:1',
            resources: { limits: { memory: '128Mi' } },
            env: [{ name: 'TOKEN', value: 's3cret' }],
          },
          { name: 'side', image: 'b:1' },
        ],
      },
    },
  },
};

test('readField follows named list items and reports absent fields as absent', () => {
  assert.deepEqual(readField(deployment, 'spec.template.spec.containers[name=api].resources.limits.memory'), {
    present: true,
    value: '128Mi',
  });
  assert.deepEqual(readField(deployment, 'spec.template.spec.containers[name=side].resources.limits.memory'), {
    present: false,
  });
  assert.deepEqual(readField(deployment, 'spec.template.spec.containers[name=nope].image'), { present: false });
  assert.deepEqual(readField(deployment, 'spec.replicas'), { present: true, value: 2 });
  assert.deepEqual(readField(deployment, 'spec[[bad'), { present: false });
});

test('a restoring patch sets present fields and deletes absent ones (null), by merge key', () => {
  const image = readImage(deployment, [
    'spec.template.spec.containers[name=api].resources.limits.memory',
    'spec.template.spec.containers[name=side].resources.limits.memory',
  ]);
  assert.deepEqual(patchFromImage(image), {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'api', resources: { limits: { memory: '128Mi' } } },
            { name: 'side', resources: { limits: { memory: null } } },
          ],
        },
      },
    },
  });
  const after = {
    ...image,
    'spec.template.spec.containers[name=side].resources.limits.memory': { present: true as const, value: '64Mi' },
  };
  assert.deepEqual(imageDiff(image, after), ['spec.template.spec.containers[name=side].resources.limits.memory']);
  assert.deepEqual(imageDiff(image, structuredClone(image)), []);
});

test('literal env values are masked in ledger images (the hash kept), templates compare without pod-template-hash', () => {
  const masked = maskTemplate(deployment.spec.template);
  const env = (masked['spec'] as { containers: { env?: { value: string }[] }[] }).containers[0]!.env![0]!;
  assert.match(env.value, /^masked:sha256:[0-9a-f]{16}$/);
  assert.doesNotMatch(JSON.stringify(masked), /s3cret/);
  assert.equal(maskFieldValue('spec.template.spec.containers[name=api].env[name=TOKEN].value', 's3cret'), env.value);
  assert.equal(maskFieldValue('spec.replicas', 3), 3);
  const other = structuredClone(deployment.spec.template);
  other.metadata.labels['pod-template-hash'] = 'zzz';
  assert.equal(templateHash(other), templateHash(deployment.spec.template));
  other.spec.containers[0]!.image = 'a:2';
  assert.notEqual(templateHash(other), templateHash(deployment.spec.template));
});

const managed = [
  {
    manager: 'kubectl-client-side-apply',
    operation: 'Update',
    fieldsV1: {
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"api"}': { 'f:image': {}, 'f:resources': { 'f:limits': { 'f:memory': {} } } },
            },
          },
        },
      },
    },
  },
  { manager: 'argocd-controller', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
  {
    manager: 'kube-controller-manager',
    operation: 'Update',
    subresource: 'status',
    fieldsV1: { 'f:status': { 'f:replicas': {} } },
  },
];

test('field ownership: plain kubectl raises no warning, Argo CD and an HPA do', () => {
  assert.equal(ownsPath(managed[0]!.fieldsV1, 'spec.template.spec.containers[name=api].resources.limits.memory'), true);
  assert.equal(ownsPath(managed[0]!.fieldsV1, 'spec.template.spec.containers[name=web].image'), false);
  const quiet = analyseOwnership({
    managedFields: managed,
    labels: {},
    annotations: {},
    paths: ['spec.template.spec.containers[name=api].resources.limits.memory'],
  });
  assert.deepEqual(quiet.warnings, []);
  assert.deepEqual(quiet.owners['spec.template.spec.containers[name=api].resources.limits.memory'], [
    'kubectl-client-side-apply',
  ]);
  const loud = analyseOwnership({
    managedFields: managed,
    labels: {},
    annotations: {},
    paths: ['spec.replicas'],
    hpa: 'api',
  });
  assert.equal(loud.warnings.length, 2);
  assert.match(loud.warnings[0]!, /Argo CD \(argocd-controller\).*undo/);
  assert.match(loud.warnings[1]!, /HorizontalPodAutoscaler api/);
  const helm = analyseOwnership({
    managedFields: [],
    labels: { 'app.kubernetes.io/managed-by': 'Helm' },
    annotations: { 'meta.helm.sh/release-name': 'shop' },
    paths: ['spec.replicas'],
  });
  assert.match(helm.warnings[0]!, /Helm release shop/);
});
