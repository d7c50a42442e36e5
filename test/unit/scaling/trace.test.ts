import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrace, traceTicks, TraceFormatError } from '../../../src/core/scaling/trace';

test('parses the source line, header and rows', () => {
  const trace = parseTrace('# somewhere; step=60s\nt,rps\n0,1.5\n60,2\n120,0\n');
  assert.equal(trace.source, 'somewhere; step=60s');
  assert.equal(trace.stepSeconds, 60);
  assert.deepEqual(trace.rps, [1.5, 2, 0]);
  assert.deepEqual([...traceTicks(trace)], [1.5, 1.5, 1.5, 1.5, 2, 2, 2, 2, 0, 0, 0, 0]);
});

test('a 15 s trace maps one row to one tick', () => {
  assert.deepEqual([...traceTicks(parseTrace('t,rps\n0,1\n15,2\n'))], [1, 2]);
});

function errorLine(text: string): { line: number; message: string } {
  try {
    parseTrace(text, 'x.csv');
  } catch (error) {
    assert.ok(error instanceof TraceFormatError);
    return { line: error.line, message: error.message };
  }
  throw new Error('expected an error');
}

test('an empty file is an error on line 1', () => {
  const e = errorLine('');
  assert.equal(e.line, 1);
  assert.match(e.message, /^x\.csv:1: empty trace/);
});

test('a header without rows is an error naming the header line', () => {
  const e = errorLine('# src\nt,rps\n');
  assert.equal(e.line, 2);
  assert.match(e.message, /no rows/);
});

test('a wrong header names its line', () => {
  assert.equal(errorLine('# src\ntime,value\n0,1\n').line, 2);
});

test('a malformed row names its line', () => {
  const e = errorLine('# src\nt,rps\n0,1\n15,abc\n30,2\n');
  assert.equal(e.line, 4);
  assert.match(e.message, /x\.csv:4: rps is not a number: "abc"/);
  assert.equal(errorLine('t,rps\n0,1\n15,2,3\n').line, 3);
  assert.equal(errorLine('t,rps\n0,-1\n').line, 2);
});

test('a non-uniform step names the line where it breaks', () => {
  const e = errorLine('# src\nt,rps\n0,1\n15,1\n30,1\n50,1\n');
  assert.equal(e.line, 6);
  assert.match(e.message, /non-uniform step: t = 50 is 20 s after the previous row, the trace step is 15 s/);
});

test('a step that is not a multiple of the tick is refused', () => {
  assert.match(errorLine('t,rps\n0,1\n10,1\n').message, /not a multiple/);
});
