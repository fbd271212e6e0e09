import {
  AWS_RUNTIME_IDS, compareGlibc, FC_RUNTIME_IDS, glibcOfPlatformTag, manylinuxTags, oldestOs, resolveRuntime, runtimeOs,
} from '../../lib/core';

describe('runtime OS and glibc', () => {
  test.each([
    ['aws', 'python3.11', 'Amazon Linux 2', '2.26'],
    ['aws', 'python3.12', 'Amazon Linux 2023', '2.34'],
    ['aws', 'python3.14', 'Amazon Linux 2023', '2.34'],
    ['aws', 'nodejs18.x', 'Amazon Linux 2', '2.26'],
    ['aws', 'nodejs20.x', 'Amazon Linux 2023', '2.34'],
    ['aws', 'java17', 'Amazon Linux 2', '2.26'],
    ['aws', 'java17.al2023', 'Amazon Linux 2023', '2.34'],
    ['aws', 'provided.al2', 'Amazon Linux 2', '2.26'],
    ['aws', 'python3.7', 'Amazon Linux 1', '2.17'],
    ['alicloud', 'python3.9', 'Debian 9', '2.24'],
    ['alicloud', 'python3.10', 'Debian 10', '2.28'],
    ['alicloud', 'nodejs20', 'Debian 10', '2.28'],
    ['alicloud', 'python3.12', 'Debian 11', '2.31'],
    ['alicloud', 'custom.debian11', 'Debian 11', '2.31'],
    ['alicloud', 'custom.debian12', 'Debian 12', '2.36'],
  ] as const)('%s %s runs %s (glibc %s)', (platform, id, name, glibc) => {
    // WHEN
    const os = resolveRuntime(platform, id).os;
    // THEN
    expect(os).toMatchObject({ name, glibc });
  });

  test('every listed runtime but FC custom-container has an OS', () => {
    for (const id of AWS_RUNTIME_IDS) expect(runtimeOs('aws', id)).toBeDefined();
    for (const id of FC_RUNTIME_IDS.filter((i) => i !== 'custom-container')) expect(runtimeOs('alicloud', id)).toBeDefined();
    expect(runtimeOs('alicloud', 'custom-container')).toBeUndefined();
    expect(resolveRuntime('alicloud', 'python3.99').os).toBeUndefined();
  });

  test('values no primary source confirms are marked', () => {
    expect(runtimeOs('aws', 'python3.7')?.confirmed).toBe(false);
    expect(runtimeOs('alicloud', 'java11')?.confirmed).toBe(false);
    expect(runtimeOs('aws', 'python3.12')?.confirmed).toBe(true);
  });

  test('an override replaces the glibc; a malformed one is an error', () => {
    expect(runtimeOs('alicloud', 'python3.9', '2.28')).toEqual({ name: 'Debian 9 (glibc set to 2.28)', glibc: '2.28', confirmed: true });
    expect(runtimeOs('alicloud', 'python3.99', '2.31')?.glibc).toBe('2.31');
    expect(() => runtimeOs('aws', 'python3.12', '2.3x')).toThrow(/^glibc override '2\.3x' for python3\.12 is not of the form '2\.Y'\. Fix: e\.g\. glibc: '2\.28'\.$/);
  });

  test('versions compare numerically', () => {
    expect(compareGlibc('2.9', '2.17')).toBeLessThan(0);
    expect(compareGlibc('2.34', '2.34')).toBe(0);
    expect(compareGlibc('2.36', '2.28')).toBeGreaterThan(0);
  });
});

describe('oldestOs', () => {
  test('a layer for python3.11 and python3.12 is built for Amazon Linux 2, and it is said to be mixed', () => {
    expect(oldestOs('aws', ['python3.12', 'python3.11'])).toEqual({ runtime: 'python3.11', os: runtimeOs('aws', 'python3.11'), mixed: true });
  });

  test('one OS is not mixed; unknown runtimes are ignored; none known is undefined', () => {
    expect(oldestOs('aws', ['python3.12', 'python3.13'])).toMatchObject({ runtime: 'python3.12', mixed: false });
    expect(oldestOs('alicloud', ['custom-container', 'python3.12'])).toMatchObject({ runtime: 'python3.12', mixed: false });
    expect(oldestOs('alicloud', ['custom-container'])).toBeUndefined();
  });
});

describe('manylinuxTags', () => {
  test('glibc 2.34 on x86_64: manylinux_2_34 down to manylinux_2_5, then the legacy aliases', () => {
    const tags = manylinuxTags('2.34', 'x86_64');
    expect(tags.slice(0, 3)).toEqual(['manylinux_2_34_x86_64', 'manylinux_2_33_x86_64', 'manylinux_2_32_x86_64']);
    expect(tags).toContain('manylinux_2_17_x86_64');
    expect(tags.slice(-4)).toEqual(['manylinux_2_5_x86_64', 'manylinux2014_x86_64', 'manylinux2010_x86_64', 'manylinux1_x86_64']);
    expect(tags).toHaveLength(30 + 3);
    expect(tags).not.toContain('manylinux_2_35_x86_64');
  });

  test('aarch64 starts at manylinux_2_17 / manylinux2014', () => {
    expect(manylinuxTags('2.26', 'arm64')).toEqual([
      ...[26, 25, 24, 23, 22, 21, 20, 19, 18, 17].map((y) => `manylinux_2_${y}_aarch64`), 'manylinux2014_aarch64',
    ]);
    expect(manylinuxTags('2.12', 'arm64')).toEqual([]);
  });

  test('Amazon Linux 2 cannot load manylinux_2_28', () => {
    const tags = manylinuxTags('2.26', 'x86_64');
    expect(tags[0]).toBe('manylinux_2_26_x86_64');
    expect(tags).not.toContain('manylinux_2_28_x86_64');
  });

  test('the glibc a platform tag needs', () => {
    expect(glibcOfPlatformTag('manylinux_2_28_x86_64')).toBe('2.28');
    expect(glibcOfPlatformTag('manylinux2014_aarch64')).toBe('2.17');
    expect(glibcOfPlatformTag('manylinux1_x86_64')).toBe('2.5');
    expect(glibcOfPlatformTag('musllinux_1_2_x86_64')).toBeUndefined();
    expect(glibcOfPlatformTag('any')).toBeUndefined();
  });
});
