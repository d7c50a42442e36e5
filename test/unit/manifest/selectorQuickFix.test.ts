// The Service selector cause on a dotted, slashed label key, from the rule to the manifest: the
// diagnostic lands on the key's own line and the quick fix rewrites that value, not a nested key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { serviceNoEndpointsDetector } from '../../../src/core/detect/serviceNoEndpoints';
import { applyEdit, editField } from '../../../src/core/manifest/manifestEdit';
import { indexManifests, locateField } from '../../../src/core/manifest/manifestIndex';
import { ClusterSnapshot, addApp, endpointSlice, service } from '../detect/fixtures';
import { diagnoseWith } from '../diagnose/helpers';

const manifest = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app.kubernetes.io/name: web-frontend   # renamed in the chart
    tier: frontend
  ports:
    - port: 80
`;

function selectorCause() {
  const s = new ClusterSnapshot();
  addApp(s, 'web', {
    replicas: 2,
    service: false,
    pod: () => ({ meta: { labels: { 'app.kubernetes.io/name': 'web', tier: 'frontend' } } }),
  });
  s.upsert('Service', service('web', { selector: { 'app.kubernetes.io/name': 'web-frontend', tier: 'frontend' } }));
  s.upsert('EndpointSlice', endpointSlice('web', 0));
  return diagnoseWith(serviceNoEndpointsDetector, s);
}

test('a selector cause on app.kubernetes.io/name is located on that key line of the Service manifest', () => {
  const cause = selectorCause();
  const [object] = indexManifests(manifest);
  const loc = locateField(manifest, object!.document, cause.fields[0]!)!;
  assert.equal(loc.line, 6);
  assert.equal(loc.matchedDepth, 3, 'the whole path, the dotted key as one step');
  assert.equal(manifest.split('\n')[6]!.slice(loc.startColumn, loc.endColumn), 'web-frontend');
});

test('the quick fix for that cause rewrites the dotted key in place and adds no nested key', () => {
  const cause = selectorCause();
  const edits = cause.fixes[0]!.edits!;
  let out = manifest;
  for (const e of edits) out = applyEdit(out, editField(out, 0, e.path, e.value)!);
  assert.equal(out, manifest.replace('app.kubernetes.io/name: web-frontend   #', 'app.kubernetes.io/name: web   #'));
  const selector = (parseAllDocuments(out)[0]!.toJS() as { spec: { selector: Record<string, string> } }).spec.selector;
  assert.deepEqual(selector, { 'app.kubernetes.io/name': 'web', tier: 'frontend' });
});

test('a dotted key missing from the manifest is inserted as one key under the selector', () => {
  const text = manifest.replace('    app.kubernetes.io/name: web-frontend   # renamed in the chart\n', '');
  const out = applyEdit(text, editField(text, 0, "spec.selector['app.kubernetes.io/name']", 'web')!);
  const selector = (parseAllDocuments(out)[0]!.toJS() as { spec: { selector: Record<string, string> } }).spec.selector;
  assert.deepEqual(selector, { tier: 'frontend', 'app.kubernetes.io/name': 'web' });
});
