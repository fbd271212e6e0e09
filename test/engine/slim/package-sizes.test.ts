import type { PackageRecord } from '../../../lib/core';
import { attributeSizes, recordPaths } from '../../../lib/engine/inspect/packages';

const f = (path: string, size: number) => ({ path, size });

describe('attributeSizes: which package each file belongs to', () => {
  test('jars, gems (gemspec, gem dir, extensions, cached .gem) and Composer install paths; the rest is unowned', () => {
    const packages: PackageRecord[] = [
      { ecosystem: 'java', name: 'guava', version: '33.0.0', path: 'java/lib/guava-33.0.0.jar' },
      { ecosystem: 'ruby', name: 'nokogiri', version: '1.16.0', path: 'ruby/gems/3.3.0/specifications/nokogiri-1.16.0-x86_64-linux.gemspec' },
      { ecosystem: 'php', name: 'monolog/monolog', version: '3.5.0', path: 'php/vendor/composer/installed.json' },
      { ecosystem: 'php', name: 'psr/log', version: '3.0.0', path: 'php/vendor/composer/installed.json' },
    ];
    const installed = Buffer.from(JSON.stringify({
      packages: [
        { 'name': 'monolog/monolog', 'version': '3.5.0', 'install-path': '../monolog/monolog' },
        { name: 'psr/log', version: '3.0.0' },
      ],
    }));
    const files = [
      f('java/lib/guava-33.0.0.jar', 3000),
      f('ruby/gems/3.3.0/specifications/nokogiri-1.16.0-x86_64-linux.gemspec', 10),
      f('ruby/gems/3.3.0/gems/nokogiri-1.16.0-x86_64-linux/lib/nokogiri.rb', 200),
      f('ruby/gems/3.3.0/extensions/x86_64-linux/3.3.0/nokogiri-1.16.0-x86_64-linux/gem.build_complete', 1),
      f('ruby/gems/3.3.0/cache/nokogiri-1.16.0-x86_64-linux.gem', 500),
      f('php/vendor/monolog/monolog/src/Logger.php', 80),
      f('php/vendor/psr/log/src/LoggerInterface.php', 40),
      f('php/vendor/composer/installed.json', installed.length),
      f('php/vendor/autoload.php', 7),
    ];
    const out = attributeSizes(files, packages, new Map([['php/vendor/composer/installed.json', installed]]));
    expect(out.packages.map((p) => [p.name, p.files, p.unzippedBytes])).toEqual([
      ['guava', 1, 3000], ['nokogiri', 4, 711], ['monolog/monolog', 1, 80], ['psr/log', 1, 40],
    ]);
    expect(out.unowned).toEqual({ files: 2, unzippedBytes: installed.length + 7 });
  });

  test('a nested node_modules package owns its own files, not its parent', () => {
    const packages: PackageRecord[] = [
      { ecosystem: 'node', name: 'a', version: '1.0.0', path: 'nodejs/node_modules/a/package.json' },
      { ecosystem: 'node', name: '@s/b', version: '2.0.0', path: 'nodejs/node_modules/a/node_modules/@s/b/package.json' },
    ];
    const out = attributeSizes([
      f('nodejs/node_modules/a/package.json', 10), f('nodejs/node_modules/a/index.js', 100),
      f('nodejs/node_modules/a/node_modules/@s/b/package.json', 20), f('nodejs/node_modules/a/node_modules/@s/b/lib/x.js', 300),
    ], packages, new Map());
    expect(out.packages.map((p) => [p.name, p.files, p.unzippedBytes])).toEqual([['a', 2, 110], ['@s/b', 2, 320]]);
    expect(out.unowned).toEqual({ files: 0, unzippedBytes: 0 });
  });

  test('RECORD paths: quoted with commas and doubled quotes, and ../ paths resolved against the site directory', () => {
    expect(recordPaths(Buffer.from('pkg/a.py,sha256=x,1\n"pkg/b,c.py",sha256=y,2\n"pkg/say ""hi"".txt",,\n../../bin/tool,,\n'))).toEqual([
      'pkg/a.py', 'pkg/b,c.py', 'pkg/say "hi".txt', '../../bin/tool',
    ]);
    const packages: PackageRecord[] = [{ ecosystem: 'python', name: 'tool', version: '1', path: 'python/lib/python3.11/site-packages/tool-1.dist-info/' }];
    const record = Buffer.from('../../../bin/tool,,\ntool/__init__.py,,\n');
    const out = attributeSizes([f('python/bin/tool', 5), f('python/lib/python3.11/site-packages/tool/__init__.py', 7)], packages,
      new Map([['python/lib/python3.11/site-packages/tool-1.dist-info/RECORD', record]]));
    expect(out.packages[0]).toMatchObject({ files: 2, unzippedBytes: 12 });
  });
});
