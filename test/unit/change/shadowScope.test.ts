import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_NEW_TEMPLATE, shadowOutOfScope } from '../../../src/core/change/shadowScope';
import type { Proposal } from '../../../src/core/model/proposal';

const proposal = (kind: string, paths: string[]): Proposal =>
  ({
    target: { kind, namespace: 'shop', name: 'web', uid: 'u' },
    change: { kind: 'patch', edits: paths.map((path) => ({ path, value: 1 })), patch: {} },
  }) as unknown as Proposal;

test('a shadow may verify a Deployment template change; a scale, an HPA or a Service is out of scope', () => {
  assert.equal(shadowOutOfScope(proposal('Deployment', ['spec.template.spec.containers[name=a].image'])), undefined);
  assert.equal(shadowOutOfScope(proposal('Deployment', ['spec.replicas'])), NO_NEW_TEMPLATE);
  assert.match(shadowOutOfScope(proposal('HorizontalPodAutoscaler', ['spec.maxReplicas']))!, /only Deployments/);
  assert.match(shadowOutOfScope(proposal('Service', ['spec.selector.app']))!, /not run for a Service/);
});
