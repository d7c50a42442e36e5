import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidTimeZone, validateCronSchedule } from '../../../src/core/detect/cronSchedule';

test('accepts the schedules the CronJob controller accepts', () => {
  for (const ok of [
    '* * * * *',
    '0 0 * * *',
    '*/5 * * * *',
    '0 9-17 * * 1-5',
    '15,45 * * * *',
    '0 0 1 JAN *',
    '0 0 * * sun',
    '0 0 ? * MON',
    '5/10 * * * *',
    '0 0 1-31 * *',
    '@hourly',
    '@daily',
    '@midnight',
    '@weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '@every 90s',
    '@every 1h30m',
    'TZ=UTC 0 * * * *',
    'CRON_TZ=Asia/Tokyo 0 6 * * *',
    '  0   6  *  *  *  ',
  ]) {
    assert.deepEqual(validateCronSchedule(ok), { ok: true }, ok);
  }
});

test('rejects malformed schedules with a reason', () => {
  const cases: [string, string][] = [
    ['', 'empty'],
    ['* * * *', 'expected 5 fields'],
    ['* * * * * *', 'expected 5 fields'],
    ['60 * * * *', 'minute'],
    ['0 24 * * *', 'hour'],
    ['0 0 0 * *', 'day of month'],
    ['0 0 * 13 *', 'month'],
    ['0 0 * * 7', 'day of week'],
    ['0 0 * * FOO', 'day of week'],
    ['*/0 * * * *', 'step'],
    ['5-1 * * * *', 'ends before'],
    ['1,,2 * * * *', 'empty list item'],
    ['@often', 'unknown descriptor'],
    ['@every soon', 'bad duration'],
    ['CRON_TZ=Nowhere/Land 0 * * * *', 'unknown time zone'],
    ['TZ=UTC', 'without a schedule'],
    ['1-2-3 * * * *', 'bad range'],
    ['x'.repeat(500), 'too long'],
  ];
  for (const [schedule, reason] of cases) {
    const result = validateCronSchedule(schedule);
    assert.equal(result.ok, false, schedule);
    if (!result.ok) assert.ok(result.error.includes(reason), `${schedule}: ${result.error}`);
  }
});

test('time zones come from the tz database', () => {
  assert.equal(isValidTimeZone('Europe/Berlin'), true);
  assert.equal(isValidTimeZone('Etc/UTC'), true);
  assert.equal(isValidTimeZone('Europe/Atlantis'), false);
  assert.equal(isValidTimeZone(''), false);
});
