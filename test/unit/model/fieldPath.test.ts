import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FieldPathError,
  addToPatch,
  appendIndex,
  appendKey,
  appendSelector,
  formatFieldPath,
  parseFieldPath,
  patchFor,
  readAtPath,
  writtenField,
  setAtPath,
  tryParseFieldPath,
  type FieldPathSegment,
} from '../../../src/core/model/fieldPath';

const key = (k: string): FieldPathSegment => ({ kind: 'key', key: k });
const index = (n: number): FieldPathSegment => ({ kind: 'index', index: n });
const select = (k: string, v: string): FieldPathSegment => ({ kind: 'select', key: k, value: v });

const canonical: [string, FieldPathSegment[]][] = [
  ['spec.replicas', [key('spec'), key('replicas')]],
  [
    'spec.template.spec.containers[name=api].resources.limits.memory',
    [
      key('spec'),
      key('template'),
      key('spec'),
      key('containers'),
      select('name', 'api'),
      key('resources'),
      key('limits'),
      key('memory'),
    ],
  ],
  ["spec.selector['app.kubernetes.io/name']", [key('spec'), key('selector'), key('app.kubernetes.io/name')]],
  [
    "spec.template.spec.containers[name=gpu].resources.limits['nvidia.com/gpu']",
    [
      key('spec'),
      key('template'),
      key('spec'),
      key('containers'),
      select('name', 'gpu'),
      key('resources'),
      key('limits'),
      key('nvidia.com/gpu'),
    ],
  ],
  [
    'spec.metrics[0].resource.target.averageUtilization',
    [key('spec'), key('metrics'), index(0), key('resource'), key('target'), key('averageUtilization')],
  ],
  [
    'webhooks[name=pods.policy.example.com].failurePolicy',
    [key('webhooks'), select('name', 'pods.policy.example.com'), key('failurePolicy')],
  ],
  [
    'spec.containers[name=api].ports[containerPort=8080].protocol',
    [
      key('spec'),
      key('containers'),
      select('name', 'api'),
      key('ports'),
      select('containerPort', '8080'),
      key('protocol'),
    ],
  ],
  ['a[0][1]', [key('a'), index(0), index(1)]],
  ["['app.kubernetes.io/name'].x", [key('app.kubernetes.io/name'), key('x')]],
  ["data['it\\'s']", [key('data'), key("it's")]],
  ["data['back\\\\slash']", [key('data'), key('back\\slash')]],
  ["spec.containers[name='a]b'].image", [key('spec'), key('containers'), select('name', 'a]b'), key('image')]],
  ["data['']", [key('data'), key('')]],
  ["data['9lives']", [key('data'), key('9lives')]],
  ['metadata.labels.tier_2-x', [key('metadata'), key('labels'), key('tier_2-x')]],
];

test('field paths: canonical forms parse to segments and print back unchanged', () => {
  for (const [text, segments] of canonical) {
    assert.deepEqual(parseFieldPath(text), segments, text);
    assert.equal(formatFieldPath(segments), text, text);
  }
});

test('field paths: other spellings parse to the same segments and print in the canonical form', () => {
  const variants: [string, string][] = [
    ['spec.selector["app.kubernetes.io/name"]', "spec.selector['app.kubernetes.io/name']"],
    ["spec.selector['app']", 'spec.selector.app'],
    ['spec.containers[name="api"].image', 'spec.containers[name=api].image'],
    ["spec.containers[name='db-migrate'].image", 'spec.containers[name=db-migrate].image'],
    ['data.9lives', "data['9lives']"],
    ['spec.env[name=a.b].value', 'spec.env[name=a.b].value'],
  ];
  for (const [text, printed] of variants) assert.equal(formatFieldPath(parseFieldPath(text)), printed, text);
});

test('field paths: builders quote what needs quoting and round-trip any key or value', () => {
  assert.equal(appendKey('spec.selector', 'app'), 'spec.selector.app');
  assert.equal(appendKey('spec.selector', 'app.kubernetes.io/name'), "spec.selector['app.kubernetes.io/name']");
  assert.equal(appendKey('', 'spec'), 'spec');
  assert.equal(appendSelector('spec.containers', 'name', 'api'), 'spec.containers[name=api]');
  assert.equal(appendIndex('spec.metrics', 2), 'spec.metrics[2]');
  const awkward = ["it's", 'a\\b', 'x]y', 'p[q', 'a=b', 'sp ace', '"dq"', '$patch', '__proto__', 'ünï/cödé.key'];
  for (const k of awkward) {
    assert.deepEqual(parseFieldPath(appendKey('data', k)), [key('data'), key(k)], k);
    assert.deepEqual(
      parseFieldPath(appendSelector('spec.env', 'name', k)),
      [key('spec'), key('env'), select('name', k)],
      k,
    );
  }
  assert.throws(() => appendIndex('spec.metrics', -1), FieldPathError);
  assert.throws(() => appendIndex('spec.metrics', 10 ** 6), /from 0 to 100000/);
  assert.throws(() => appendKey('data', 'a\nb'), /control characters/);
  assert.throws(() => appendSelector('spec.env', 'name', 'a\u0007'), /control characters/);
  assert.throws(() => appendSelector('spec.env', 'na]me', 'x'), FieldPathError);
});

test('field paths: malformed and hostile input is refused with a message that says where and why', () => {
  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['spec..replicas', /empty key at character 6/],
    ['.spec', /empty key at character 1/],
    ['spec.', /empty key/],
    ['spec.containers[name=api', /never closed/],
    ['spec.containers[', /never closed/],
    ['spec.containers[]', /expected a list index/],
    ['spec.containers[-1]', /expected a list index/],
    ['spec.containers[1.5]', /expected a list index/],
    ['spec.containers[99999999999]', /too large/],
    ["spec.selector['app.kubernetes.io/name'", /never closed/],
    ["spec.selector['a'b]", /expected \] after the quoted key/],
    ["spec.selector['a\\x']", /backslash/],
    ["spec.selector['a\nb']", /control characters at character 17/],
    ['spec.sel\u0000ector', /control characters/],
    ["spec.sel'ector", /contains "'"/],
    ['spec.sel ector', /contains " "/],
    ['spec[name=a]x', /expected \. or \[/],
    ['spec.containers[=api]', /selector key/],
    ['spec.containers[na.me=api]', /selector key/],
    ['spec.containers[name=a b]', /must be quoted/],
    ['a]b', /contains "\]"/],
    ['a'.repeat(5000), /longer than 2000/],
    [Array.from({ length: 150 }, () => 'a').join('.'), /more than 100 segments/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parseFieldPath(text),
      (e: unknown) => e instanceof FieldPathError && message.test(e.message),
      JSON.stringify(text),
    );
    assert.equal(tryParseFieldPath(text), undefined);
  }
  assert.throws(() => parseFieldPath(42 as unknown as string), /must be text/);
  assert.match(
    (() => {
      try {
        parseFieldPath(`${'x'.repeat(300)}..`);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(),
    /^field path "x{77}\.\.\."/,
  );
});

test('readAtPath: keys, quoted keys, indexes and selectors over plain data; missing parts are undefined', () => {
  const deployment = {
    metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'sidecar', image: 'envoy' },
            { name: 'api', image: 'api:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
          ],
        },
      },
    },
  };
  assert.equal(readAtPath(deployment, "metadata.labels['app.kubernetes.io/name']"), 'web');
  assert.equal(readAtPath(deployment, 'spec.template.spec.containers[name=api].image'), 'api:1');
  assert.equal(readAtPath(deployment, 'spec.template.spec.containers[1].image'), 'api:1');
  assert.equal(
    readAtPath(deployment, 'spec.template.spec.containers[name=api].ports[containerPort=8080].protocol'),
    'TCP',
  );
  assert.equal(readAtPath(deployment, 'spec.template.spec.containers[name=ghost].image'), undefined);
  assert.equal(readAtPath(deployment, 'spec.template.spec.containers[7].image'), undefined);
  assert.equal(readAtPath(deployment, 'spec.replicas.value'), undefined);
  assert.equal(readAtPath(deployment, 'spec.constructor'), undefined);
  assert.equal(readAtPath(null, 'spec'), undefined);
  assert.throws(() => readAtPath(deployment, 'spec..x'), FieldPathError);
});

test('setAtPath: sets in place, creates missing maps and named list items, refuses what it cannot reach', () => {
  const o: Record<string, unknown> = { spec: { containers: [{ name: 'api' }], replicas: 1 } };
  setAtPath(o, 'spec.containers[name=api].resources.limits.memory', '256Mi');
  setAtPath(o, 'spec.containers[name=db].image', 'postgres');
  setAtPath(o, "spec.selector['app.kubernetes.io/name']", 'web');
  setAtPath(o, 'spec.containers[0].image', 'api:2');
  assert.deepEqual(o, {
    spec: {
      containers: [
        { name: 'api', resources: { limits: { memory: '256Mi' } }, image: 'api:2' },
        { name: 'db', image: 'postgres' },
      ],
      replicas: 1,
      selector: { 'app.kubernetes.io/name': 'web' },
    },
  });
  assert.throws(() => setAtPath(o, 'spec.replicas.value', 1), /spec\.replicas is not a map/);
  assert.throws(() => setAtPath(o, 'spec.containers[5].image', 'x'), /past the end of a list of 2/);
  assert.throws(() => setAtPath(o, 'spec.containers[name=api]', 'x'), /ends in a list item/);
  assert.throws(() => setAtPath(o, 'spec[0]', 'x'), /spec is not a list/);
  setAtPath(o, '__proto__.polluted', 'yes');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('patchFor: maps nest, dotted keys stay one key, list selectors become merge-key elements', () => {
  assert.deepEqual(patchFor("spec.selector['app.kubernetes.io/name']", 'web'), {
    spec: { selector: { 'app.kubernetes.io/name': 'web' } },
  });
  assert.deepEqual(patchFor('spec.template.spec.containers[name=api].resources.limits.memory', '256Mi'), {
    spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '256Mi' } } }] } } },
  });
  assert.deepEqual(patchFor('spec.template.spec.containers[name=api].env[name=LOG].value', 'debug'), {
    spec: { template: { spec: { containers: [{ name: 'api', env: [{ name: 'LOG', value: 'debug' }] }] } } },
  });
  const live = {
    spec: { template: { spec: { containers: [{ name: 'api', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } } },
  };
  assert.deepEqual(
    patchFor('spec.template.spec.containers[name=api].ports[containerPort=8080].protocol', 'UDP', live),
    {
      spec: {
        template: { spec: { containers: [{ name: 'api', ports: [{ containerPort: 8080, protocol: 'UDP' }] }] } },
      },
    },
    'a numeric merge key keeps its type when the current object is known',
  );
  const patch: Record<string, unknown> = {};
  addToPatch(patch, 'spec.template.spec.containers[name=api].image', 'api:2');
  addToPatch(patch, 'spec.template.spec.containers[name=api].resources.requests.cpu', '250m');
  addToPatch(patch, 'spec.template.spec.containers[name=sidecar].image', 'envoy:1.30');
  addToPatch(patch, 'spec.replicas', 3);
  assert.deepEqual(patch, {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'api', image: 'api:2', resources: { requests: { cpu: '250m' } } },
            { name: 'sidecar', image: 'envoy:1.30' },
          ],
        },
      },
      replicas: 3,
    },
  });
});

test('patchFor: a list index replaces the whole list, copied from the current object with the item changed', () => {
  const hpa = {
    spec: {
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 90 } } },
      ],
    },
  };
  const before = structuredClone(hpa);
  const patch: Record<string, unknown> = {};
  addToPatch(patch, 'spec.metrics[0].resource.target.averageUtilization', 60, hpa);
  addToPatch(patch, 'spec.metrics[1].resource.target.averageUtilization', 70, hpa);
  addToPatch(patch, 'spec.maxReplicas', 10, hpa);
  assert.deepEqual(patch, {
    spec: {
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
      maxReplicas: 10,
    },
  });
  assert.deepEqual(hpa, before, 'the current object is not changed');
  assert.throws(
    () => patchFor('spec.metrics[0].resource.target.averageUtilization', 60),
    /needs the object's current list at spec\.metrics/,
  );
  assert.throws(
    () => patchFor('spec.metrics[4].resource.target.averageUtilization', 60, hpa),
    /past the end of a list of 2/,
  );
});

test('patchFor: refuses paths a strategic merge patch cannot carry, and patch directives from cluster text', () => {
  assert.throws(() => patchFor('spec.containers[name=api]', { image: 'x' }), /ends in a list item/);
  assert.throws(() => patchFor('[0].x', 1, [{}]), /starts with a key/);
  assert.throws(() => patchFor("metadata.labels['$patch']", 'delete'), /patch directive/);
  assert.throws(() => patchFor('spec.containers[$patch=delete].image', 'x'), /patch directive/);
  const mixed: Record<string, unknown> = {};
  addToPatch(mixed, 'spec.list[name=a].x', 1);
  assert.throws(
    () => addToPatch(mixed, 'spec.list[0].x', 2, { spec: { list: [{ name: 'a' }] } }),
    /both merged by key and replaced/,
  );
  const hostile = patchFor('spec.containers[name=__proto__].constructor.prototype.polluted', 'yes');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(JSON.parse(JSON.stringify(hostile)), {
    spec: { containers: [{ name: '__proto__', constructor: { prototype: { polluted: 'yes' } } }] },
  });
});

test('an index just past the end appends an item; a patch through it replaces the list, whose path is what is written', () => {
  const policy = { spec: { ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 9090 }] }] } };
  const before = structuredClone(policy);
  const patch: Record<string, unknown> = {};
  addToPatch(patch, 'spec.ingress[0].ports[1].port', 8080, policy);
  addToPatch(patch, 'spec.ingress[0].ports[1].protocol', 'TCP', policy);
  assert.deepEqual(patch, {
    spec: { ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 9090 }, { port: 8080, protocol: 'TCP' }] }] },
  });
  assert.deepEqual(policy, before, 'the current object is not changed');
  assert.throws(() => patchFor('spec.ingress[0].ports[2].port', 1, policy), /past the end of a list of 1/);
  assert.throws(() => patchFor('spec.ingress[0].ports[1]', 1, policy), /past the end of a list of 1/);
  assert.equal(writtenField('spec.ingress[0].ports[1].port'), 'spec.ingress');
  assert.equal(
    writtenField('spec.template.spec.containers[name=api].image'),
    'spec.template.spec.containers[name=api].image',
  );
  assert.equal(writtenField('spec.metrics[0].resource.target.averageUtilization'), 'spec.metrics');
});
