import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatMillicores,
  parseBytes,
  parseMillicores,
  parseQuantity,
} from '../../../src/core/model/quantity';

test('parses binary, decimal, milli and exponent quantities', () => {
  assert.equal(parseBytes('128Mi'), 128 * 1024 * 1024);
  assert.equal(parseBytes('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseBytes('500k'), 500_000);
  assert.equal(parseBytes('1e3'), 1000);
  assert.equal(parseBytes('1E3'), 1000);
  assert.equal(parseBytes('2'), 2);
  assert.equal(parseBytes('1M'), 1e6);
  assert.equal(parseBytes('1E'), 1e18);
  assert.equal(parseBytes(' 64Ki '), 65536);
  assert.equal(parseQuantity('.5'), 0.5);
  assert.equal(parseQuantity('-1'), -1);
  assert.equal(parseMillicores('250m'), 250);
  assert.equal(parseMillicores('2'), 2000);
  assert.equal(parseMillicores('1.5'), 1500);
  assert.equal(parseMillicores('0.3'), 300);
  assert.equal(parseMillicores('100000u'), 100);
  assert.equal(parseMillicores('1n'), 1);
});

test('malformed quantities yield undefined and never throw', () => {
  for (const bad of [
    '',
    ' ',
    'abc',
    '12MiB',
    'Mi',
    '1.2.3',
    '--1',
    '1e',
    '1e999',
    '1 Gi',
    '0x10',
    'NaN',
    'Infinity',
    '1e3Mi',
    '5%',
    '1'.repeat(100),
    '$(icon)',
    '\n',
  ]) {
    assert.equal(parseQuantity(bad), undefined, JSON.stringify(bad));
  }
  for (const odd of [undefined, null, {}, [], Symbol.iterator, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(parseQuantity(odd as unknown), undefined);
  }
  assert.equal(parseQuantity(42), 42);
});

test('formats bytes and millicores readably', () => {
  assert.equal(formatBytes(300 * 2 ** 20), '300Mi');
  assert.equal(formatBytes(1.5 * 2 ** 30), '1.5Gi');
  assert.equal(formatBytes(2 ** 30), '1Gi');
  assert.equal(formatBytes(512), '512');
  assert.equal(formatBytes(1536), '1.5Ki');
  assert.equal(formatBytes(12.34 * 2 ** 20), '12.3Mi');
  assert.equal(formatBytes(Number.NaN), '?');
  assert.equal(formatMillicores(250), '250m');
  assert.equal(formatMillicores(1500), '1.5');
  assert.equal(formatMillicores(2000), '2');
  assert.equal(formatMillicores(Number.POSITIVE_INFINITY), '?');
  assert.equal(formatBytes(parseBytes('300Mi')!), '300Mi');
});
