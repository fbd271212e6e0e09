import { javascript, typescript } from 'projen';

// The single source of project configuration: package.json, tsconfig*, jest and eslint settings
// and the task list are generated from this file by `npx projen`.

/** Front-end SDKs: optional peers for users, real dev dependencies for our own tests. */
const frontEndSdks: Record<string, { peer: string; dev: string }> = {
  'aws-cdk-lib': { peer: '^2.150.0', dev: '^2.276.0' },
  'constructs': { peer: '^10.5.0', dev: '^10.5.0' },
  // ROS CDK: the oldest releases on npm we checked the front-end against (fc3 1.11 is its latest).
  '@alicloud/ros-cdk-core': { peer: '^1.11.0', dev: '^1.12.0' },
  '@alicloud/ros-cdk-fc3': { peer: '^1.11.0', dev: '^1.11.0' },
  '@alicloud/ros-cdk-ossassets': { peer: '^1.12.0', dev: '^1.12.0' },
  // 3.249+ declares node >=22; this project (and the machines it is tested on) run Node 20.
  '@pulumi/pulumi': { peer: '^3.142.0', dev: '~3.248.0' },
  '@pulumi/aws': { peer: '^6.0.0 || ^7.0.0', dev: '^7.48.0' },
  '@pulumi/alicloud': { peer: '^3.60.0', dev: '^3.108.0' },
};

const project = new typescript.TypeScriptProject({
  name: 'layersmith',
  description: 'Build, check and ship serverless function layers for AWS Lambda and Alibaba Function Compute from AWS CDK, ROS CDK and Pulumi.',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,
  // Sources are compiled in place (like aws-cdk-lib): lib/**/*.ts -> lib/**/*.js.
  srcdir: 'lib',
  libdir: 'lib',
  testdir: 'test',
  minNodeVersion: '20.0.0',
  typescriptVersion: '~5.9.0',
  // Runtime dependencies are exactly what lib/ imports at run time (test/packaging pins the list).
  // smol-toml: uv.lock and poetry.lock are TOML; a small, dependency-free TOML 1.0 parser with a CommonJS build.
  deps: ['smol-toml@^1.9.1'],
  devDeps: [
    // Test helpers and the benchmark only: BENCHMARKS.md has why the engine writes ZIPs itself.
    'archiver@^7.0.1',
    // The independent reader our tests check every written ZIP with; lib/ reads ZIPs itself.
    'yauzl@^3.2.0',
    '@types/archiver@^6',
    '@types/yauzl@^2.10.3',
    'aws-cdk@^2.1000.0',
    'ts-node@^10.9.2',
    ...Object.entries(frontEndSdks).map(([name, v]) => `${name}@${v.dev}`),
  ],
  peerDeps: Object.entries(frontEndSdks).map(([name, v]) => `${name}@${v.peer}`),
  peerDependencyOptions: { pinnedDevDependency: false },
  jestOptions: {
    jestVersion: '^29',
    // The test task never rewrites snapshots; `npm run test:update` does.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    junitReporting: false,
    coverageText: false,
    jestConfig: {
      // .ts before .js: lib/ is compiled in place and a stale .js must never be tested.
      moduleFileExtensions: ['ts', 'tsx', 'js', 'json', 'node'],
      testPathIgnorePatterns: ['/node_modules/', '/examples/.*/cdk.out/', '/\\.tmp/'],
      testTimeout: 120_000,
      collectCoverage: false,
      // One run directory for the packed tarball every packaging and example test installs.
      globalSetup: '<rootDir>/test/packaging/global-setup.ts',
      globalTeardown: '<rootDir>/test/packaging/global-teardown.ts',
      // cfn-lint on every template the test/aws-cdk suites synthesize (no-op for other files).
      setupFilesAfterEnv: ['<rootDir>/test/packaging/lint-synthesized.ts'],
    },
  },
  // Transpile-only in jest: types are checked once by `tsc -p test/tsconfig.json` in the test
  // task instead of again in every test file's worker.
  tsJestOptions: {
    transformOptions: {
      isolatedModules: true,
      tsconfig: typescript.TsJestTsconfig.fromFile('test/tsconfig.json'),
    },
  },
  tsconfig: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      // The tarball ships JavaScript readable as it is: inline maps carried every TypeScript source
      // inside the .js files (about a third of the package) and pointed at files it does not hold.
      inlineSourceMap: false,
      inlineSources: false,
    },
  },
  eslint: true,
  gitignore: ['/.tmp/', 'cdk.out/', '/bench/.corpus/', '/test-reports/', '.layersmith-cache/'],
});

// eslint-import-resolver-typescript 3.7+ pulls unrs-resolver, whose per-platform optional
// bindings npm leaves out of the lockfile; `npm ci` on a clean clone then refuses the lockfile.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.6.3');

// Every optional peer: a CDK user never installs Pulumi, and the reverse.
project.package.addField('peerDependenciesMeta', Object.fromEntries(
  Object.keys(frontEndSdks).map((name) => [name, { optional: true }]),
));

project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './aws-cdk': { types: './lib/aws-cdk/index.d.ts', default: './lib/aws-cdk/index.js' },
  './ros-cdk': { types: './lib/ros-cdk/index.d.ts', default: './lib/ros-cdk/index.js' },
  './pulumi': { types: './lib/pulumi/index.d.ts', default: './lib/pulumi/index.js' },
  './package.json': './package.json',
});
// TypeScript's `moduleResolution: node` (node10, what `cdk init` projects use) ignores `exports`;
// typesVersions gives it the same subpath types.
project.package.addField('typesVersions', {
  '*': {
    'aws-cdk': ['lib/aws-cdk/index.d.ts'],
    'ros-cdk': ['lib/ros-cdk/index.d.ts'],
    'pulumi': ['lib/pulumi/index.d.ts'],
  },
});
project.package.addBin({ layersmith: 'bin/layersmith' });
// The tarball is the product: compiled JS, declarations and the command (npm adds README.md,
// LICENSE and package.json itself). test/packaging/tarball.test.ts pins the exact list.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', 'bin/layersmith']);

// ZIP, ELF/Mach-O/PE headers and CRCs are bit-level formats: bitwise operators are the point.
project.eslint?.addRules({
  'no-bitwise': 'off',
  '@stylistic/max-len': ['error', { code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true, ignoreRegExpLiterals: true }],
});

// lib/core and lib/engine stay free of every IaC SDK; only front-ends import them.
project.eslint?.addOverride({
  files: ['lib/core/**/*.ts', 'lib/engine/**/*.ts', 'lib/local/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '@pulumi/*', '@alicloud/*'], message: 'lib/core and lib/engine must not import an IaC SDK; put framework code in a front-end.' },
      ],
    }],
  },
});

// The direction between our own folders: core imports nothing of ours, the engine only core, the
// shared front-end module core and engine, each front-end those three, the local runs (opt,
// invoke) core and engine, the CLI anything but a front-end (core, engine, local).
const layer = (folder: string, allowed: string[], why: string) => ({
  target: `./lib/${folder}`, from: './lib', except: [`./${folder}`, ...allowed.map((a) => `./${a}`)], message: why,
});
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  rules: {
    'import/no-restricted-paths': ['error', {
      zones: [
        layer('core', [], 'lib/core is the base: it imports nothing else of layersmith.'),
        layer('engine', ['core'], 'lib/engine imports only lib/core.'),
        layer('frontend', ['core', 'engine'], 'lib/frontend (shared front-end steps) imports only lib/core and lib/engine.'),
        layer('aws-cdk', ['core', 'engine', 'frontend'], 'a front-end imports only lib/core, lib/engine and lib/frontend.'),
        layer('ros-cdk', ['core', 'engine', 'frontend'], 'a front-end imports only lib/core, lib/engine and lib/frontend.'),
        layer('pulumi', ['core', 'engine', 'frontend'], 'a front-end imports only lib/core, lib/engine and lib/frontend.'),
        layer('local', ['core', 'engine'], 'lib/local (layersmith opt and invoke) imports only lib/core and lib/engine; the CLI imports it, not the reverse.'),
        { target: './lib/cli', from: ['./lib/aws-cdk', './lib/ros-cdk', './lib/pulumi', './lib/frontend'], message: 'the CLI reads assemblies; it imports no front-end.' },
      ],
    }],
  },
});
// In lib, long strings and comments are wrapped too (URLs and regular expressions excepted).
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  rules: { '@stylistic/max-len': ['error', { code: 150, ignoreUrls: true, ignoreRegExpLiterals: true }] },
});
project.eslint?.addOverride({
  files: ['lib/frontend/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '@pulumi/*', '@alicloud/*'], message: 'lib/frontend is shared by every front-end: no IaC SDK here.' },
      ],
    }],
  },
});

// The whole suite: compile (the synchronous build runs compiled JS in a child process), then jest.
const testTask = project.tasks.tryFind('test')!;
testTask.reset();
testTask.spawn(project.compileTask);
testTask.exec('tsc --noEmit -p test/tsconfig.json');
testTask.exec('mkdir -p test-reports');
testTask.exec('jest --ci --json --outputFile=test-reports/jest.json', { receiveArgs: true });
// Lint without --fix: the test task reports, it never rewrites sources.
const lint = project.addTask('lint', {
  description: 'eslint, read-only',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  exec: 'eslint --ext .ts --no-error-on-unmatched-pattern lib test .projenrc.ts',
});
testTask.spawn(lint);

project.addTask('bench', { description: 'Run benchmarks and write BENCHMARKS.md', exec: 'node bench/run.js', receiveArgs: true });
// The demo runs the examples from the packed tarball, so it compiles first.
const demo = project.addTask('demo', { description: 'Pack layersmith, install it into the examples, build their layers and synthesize them offline' });
demo.spawn(project.compileTask);
demo.exec('bash scripts/demo.sh', { receiveArgs: true });

project.synth();
