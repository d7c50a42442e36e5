// Validates CronJob schedules the way the CronJob controller parses them: five fields
// (minute hour day-of-month month day-of-week), the @descriptors, @every <duration>, and an
// optional TZ=/CRON_TZ= prefix naming an IANA time zone.

export type CronCheck = { ok: true } | { ok: false; error: string };

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const MAX_SCHEDULE = 200;

/** True when `zone` is a time zone name the runtime's tz database knows. */
export function isValidTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function value(text: string, field: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const at = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return at >= 0 ? at + field.min : undefined;
}

function checkPart(part: string, field: FieldSpec): string | undefined {
  const pieces = part.split('/');
  if (pieces.length > 2) return `too many "/" in ${field.name} "${part}"`;
  const [range, step] = pieces as [string, string | undefined];
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `bad step "${step}" in ${field.name}`;
  if (range === '*' || range === '?') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2) return `bad range "${range}" in ${field.name}`;
  const start = value(bounds[0] ?? '', field);
  if (start === undefined) return `"${bounds[0]}" is not a valid ${field.name} (${field.min}-${field.max})`;
  if (bounds.length === 2) {
    const end = value(bounds[1] ?? '', field);
    if (end === undefined) return `"${bounds[1]}" is not a valid ${field.name} (${field.min}-${field.max})`;
    if (end < start) return `range "${range}" in ${field.name} ends before it starts`;
  }
  return undefined;
}

export function validateCronSchedule(schedule: string): CronCheck {
  if (typeof schedule !== 'string') return { ok: false, error: 'schedule is missing' };
  if (schedule.length > MAX_SCHEDULE) return { ok: false, error: 'schedule is too long' };
  let rest = schedule.trim();
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.search(/\s/);
    if (space < 0) return { ok: false, error: 'time zone prefix without a schedule' };
    const zone = rest.slice(rest.indexOf('=') + 1, space);
    if (!isValidTimeZone(zone)) return { ok: false, error: `unknown time zone "${zone}"` };
    rest = rest.slice(space).trim();
  }
  if (rest.length === 0) return { ok: false, error: 'schedule is empty' };
  if (rest.startsWith('@')) {
    if (DESCRIPTORS.includes(rest)) return { ok: true };
    if (rest.startsWith('@every ')) {
      const duration = rest.slice('@every '.length).trim();
      return GO_DURATION.test(duration) && /[1-9]/.test(duration)
        ? { ok: true }
        : { ok: false, error: `bad duration "${duration}" in @every` };
    }
    return { ok: false, error: `unknown descriptor "${rest.split(/\s/)[0]}"` };
  }
  const fields = rest.split(/\s+/);
  if (fields.length !== FIELDS.length) return { ok: false, error: `expected 5 fields, found ${fields.length}` };
  for (let i = 0; i < FIELDS.length; i++) {
    for (const part of fields[i]!.split(',')) {
      const error = part.length === 0 ? `empty list item in ${FIELDS[i]!.name}` : checkPart(part, FIELDS[i]!);
      if (error) return { ok: false, error };
    }
  }
  return { ok: true };
}
