// The `scan --json` shape is a contract for scripts: its field names stay, and a fix's patch is
// the strategic merge patch of its edits (a dotted label key stays one key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceNoEndpointsDetector } from '../../../src/core/detect/serviceNoEndpoints';
import { diagnose } from '../../../src/core/diagnose/diagnose';
import { incidentJson } from '../../../src/cli/scanOutput';
import { ClusterSnapshot, NOW, addApp, endpointSlice, service } from '../detect/fixtures';
import { incidentOf } from '../diagnose/helpers';

test('scan --json: field names of an incident with its root cause, and the patch of a selector fix', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', {
    replicas: 1,
    service: false,
    pod: () => ({ meta: { labels: { 'app.kubernetes.io/name': 'web' } } }),
  });
  s.upsert('Service', service('web', { selector: { 'app.kubernetes.io/name': 'web-frontend' } }));
  s.upsert('EndpointSlice', endpointSlice('web', 0));
  const incident = incidentOf(serviceNoEndpointsDetector, s);
  const json = JSON.parse(JSON.stringify(incidentJson(incident, diagnose({ snapshot: s, now: NOW, incident }))));
  assert.deepEqual(Object.keys(json), [
    'id',
    'type',
    'severity',
    'namespace',
    'kind',
    'name',
    'summary',
    'evidence',
    'firstSeen',
    'lastSeen',
    'rootCause',
  ]);
  assert.deepEqual(Object.keys(json.rootCause), [
    'summary',
    'category',
    'confidence',
    'fields',
    'evidence',
    'fixes',
    'source',
  ]);
  assert.deepEqual(Object.keys(json.rootCause.fixes[0]), ['summary', 'patch', 'edits']);
  assert.deepEqual(json.rootCause.fixes[0].patch, { spec: { selector: { 'app.kubernetes.io/name': 'web' } } });
  assert.deepEqual(json.rootCause.fixes[0].edits, [
    { path: "spec.selector['app.kubernetes.io/name']", value: 'web', previous: 'web-frontend' },
  ]);
});
