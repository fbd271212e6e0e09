import { ProgressReporter, formatElapsed } from '../../lib/engine/progress';

/** A stream that records what was written, with a settable TTY flag. */
function recorder(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (c: string) => { chunks.push(c); return true; } } };
}

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('ProgressReporter on a terminal', () => {
  test('redraws one status line in place with done/total and elapsed, then ends it with a newline', () => {
    // GIVEN a TTY stream and a hand-driven clock
    const out = recorder(true);
    const c = clock();
    const reporter = new ProgressReporter({ stream: out.stream, now: c.now, redrawIntervalMs: 100 });

    // WHEN a step of 4 items progresses and succeeds
    const step = reporter.start('packing Stack/Deps', 4);
    c.advance(150);
    step.update(1);
    c.advance(150);
    step.update(3);
    c.advance(1_200);
    step.succeed('4 files');

    // THEN every draw starts with carriage return + erase, shows done/total and elapsed, and the
    // final line ends with a newline
    expect(out.chunks).toEqual([
      '\r\x1b[Klayersmith: packing Stack/Deps 0/4 0.0s',
      '\r\x1b[Klayersmith: packing Stack/Deps 1/4 0.1s',
      '\r\x1b[Klayersmith: packing Stack/Deps 3/4 0.3s',
      '\r\x1b[Klayersmith: packing Stack/Deps: done 4/4, 4 files in 1.5s\n',
    ]);
  });

  test('does not redraw more often than the interval', () => {
    // GIVEN a TTY reporter with a 100 ms interval
    const out = recorder(true);
    const c = clock();
    const step = new ProgressReporter({ stream: out.stream, now: c.now, redrawIntervalMs: 100 }).start('build', 1000);

    // WHEN 1000 updates arrive 1 ms apart
    for (let i = 1; i <= 1000; i++) {
      c.advance(1);
      step.update(i);
    }

    // THEN about one draw per 100 ms was made (the first draw at start plus ten), not 1000
    expect(out.chunks.length).toBe(11);
  });

  test('cuts the status line to the terminal width so it never wraps', () => {
    // GIVEN a 20-column terminal
    const out = recorder(true, 20);
    const c = clock();

    // WHEN a step with a long label starts
    new ProgressReporter({ stream: out.stream, now: c.now }).start('a very long label that does not fit', 10);

    // THEN the drawn text is at most 19 characters after the control prefix
    expect(out.chunks[0]).toBe('\r\x1b[Klayersmith: a very ');
  });
});

describe('ProgressReporter off a terminal', () => {
  test('prints plain lines: start, each quarter, and the end, never one line per item', () => {
    // GIVEN a non-TTY stream (CI log)
    const out = recorder(false);
    const c = clock();
    const step = new ProgressReporter({ stream: out.stream, now: c.now }).start('building python layer', 100);

    // WHEN 100 items complete one by one, 10 ms apart
    for (let i = 1; i <= 100; i++) {
      c.advance(10);
      step.update(i);
    }
    step.succeed();

    // THEN five plain lines were printed, each ending with a newline and without control codes
    expect(out.chunks).toEqual([
      'layersmith: building python layer: started (100 to do)\n',
      'layersmith: building python layer: 25/100 0.3s\n',
      'layersmith: building python layer: 50/100 0.5s\n',
      'layersmith: building python layer: 75/100 0.8s\n',
      'layersmith: building python layer: done 100/100 in 1.0s\n',
    ]);
  });

  test('a failure prints one line with the message collapsed onto it', () => {
    // GIVEN a started step without a known total
    const out = recorder(false);
    const c = clock();
    const step = new ProgressReporter({ stream: out.stream, now: c.now }).start('building node layer');

    // WHEN it fails with a multi-line message, and later calls are made by mistake
    c.advance(2_500);
    step.fail('npm ci exited with 1\nnpm ERR! missing lockfile');
    step.succeed();
    step.update(5, 10);

    // THEN the failure is one line and nothing follows it
    expect(out.chunks).toEqual([
      'layersmith: building node layer: started\n',
      'layersmith: building node layer: failed after 2.5s: npm ci exited with 1 npm ERR! missing lockfile\n',
    ]);
  });
});

describe('quiet', () => {
  test('--quiet (quiet: true) prints nothing at all, on a terminal or not', () => {
    for (const tty of [true, false]) {
      // GIVEN a quiet reporter
      const out = recorder(tty);
      const reporter = new ProgressReporter({ stream: out.stream, quiet: true });

      // WHEN a step runs, fails, and a note is printed
      const step = reporter.start('x', 2);
      step.update(1);
      step.update(2);
      step.fail('boom');
      reporter.note('hello');

      // THEN the stream got nothing
      expect(out.chunks).toEqual([]);
    }
  });

  test('LAYERSMITH_QUIET=1 makes the default quiet', () => {
    // GIVEN the environment variable the build engine also honours
    const out = recorder(false);
    const saved = process.env.LAYERSMITH_QUIET;
    process.env.LAYERSMITH_QUIET = '1';
    try {
      // WHEN a reporter is created without an explicit quiet option and used
      new ProgressReporter({ stream: out.stream }).start('x', 1).succeed();
    } finally {
      if (saved === undefined) delete process.env.LAYERSMITH_QUIET;
      else process.env.LAYERSMITH_QUIET = saved;
    }
    // THEN nothing was printed
    expect(out.chunks).toEqual([]);
  });
});

describe('formatElapsed', () => {
  test.each([
    [0, '0.0s'],
    [449, '0.4s'],
    [12_345, '12.3s'],
    [59_949, '59.9s'],
    [60_000, '1m00s'],
    [125_400, '2m05s'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe('ProgressReporter.step', () => {
  test('reports a step that resolves, passing an update callback that fits onProgress', async () => {
    // GIVEN a plain-line reporter with a hand-driven clock
    const out = recorder(false);
    const c = clock();
    const reporter = new ProgressReporter({ stream: out.stream, now: c.now, prefix: 'layersmith [python]' });

    // WHEN a step reports progress through the callback and resolves with a value
    const value = await reporter.step('pack zip', async (update) => {
      update(2, 4);
      c.advance(300);
      update(4, 4);
      return 42;
    });

    // THEN the value comes back and the lines tell the story
    expect(value).toBe(42);
    expect(out.chunks).toEqual([
      'layersmith [python]: pack zip: started\n',
      'layersmith [python]: pack zip: 2/4 0.0s\n',
      'layersmith [python]: pack zip: 4/4 0.3s\n',
      'layersmith [python]: pack zip: done 4/4 in 0.3s\n',
    ]);
  });

  test('a step that throws is reported as failed and the error is rethrown unchanged', async () => {
    // GIVEN a reporter
    const out = recorder(false);
    const reporter = new ProgressReporter({ stream: out.stream, now: clock().now });
    const boom = new Error('pip exited with 1');

    // WHEN the step throws
    await expect(reporter.step('pip install', () => { throw boom; })).rejects.toBe(boom);

    // THEN the failure line names the step and the message
    expect(out.chunks[out.chunks.length - 1]).toBe('layersmith: pip install: failed after 0.0s: pip exited with 1\n');
  });
});
