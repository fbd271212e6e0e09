import * as fs from 'fs';
import * as path from 'path';
import { makeContext } from './ctx';
import type { JavaSourceSpec } from '../../../lib/engine/api';
import { LayerSource } from '../../../lib/engine/source';
import { buildJava } from '../../../lib/engine/sources/java';
import { MissingToolError } from '../../../lib/engine/tools';
import { cleanupTempDirs, listFiles, makeTempDir, testWithTools, writeTree } from '../../helpers';

afterAll(cleanupTempDirs);

const JAVA_TARGET = { platform: 'aws', architecture: 'x86_64', runtimes: ['java21'] } as const;

// Maven Central is unreachable here: the pom test resolves offline from Debian's maven-repo
// (maven-debian-helper's settings-debian.xml; libmaven-dependency-plugin-java, commons-io).
const DEBIAN_SETTINGS = '/etc/maven/settings-debian.xml';
const COMMONS_IO = '/usr/share/maven-repo/commons-io/commons-io/2.11.0/commons-io-2.11.0.jar';
const offlineMaven = fs.existsSync(DEBIAN_SETTINGS) && fs.existsSync(COMMONS_IO);
if (!offlineMaven) {
  // eslint-disable-next-line no-console
  console.warn(`skipping the pom test: ${DEBIAN_SETTINGS} or ${COMMONS_IO} missing (scripts/setup.sh installs maven-debian-helper, libmaven-dependency-plugin-java, libcommons-io-java)`);
}
const mvnTest = offlineMaven ? testWithTools('mvn') : test.skip;

describe('java builder', () => {
  test('copies the jars of a directory to java/lib/ and nothing else', async () => {
    // GIVEN a directory with two jars, a readme and a nested directory
    const dir = makeTempDir('jars-');
    writeTree(dir, { 'a-1.0.jar': 'jar-a', 'b-2.0.JAR': 'jar-b', 'README.md': 'x', 'nested/c.jar': 'jar-c' });
    const spec = LayerSource.java({ jarsDir: dir }).bind() as JavaSourceSpec;
    const ctx = makeContext(JAVA_TARGET);

    // WHEN built
    await buildJava(spec, ctx);

    // THEN only the top-level jars are in java/lib/, byte for byte
    expect(listFiles(ctx.staging)).toEqual(['java/lib/a-1.0.jar', 'java/lib/b-2.0.JAR']);
    expect(fs.readFileSync(path.join(ctx.staging, 'java/lib/a-1.0.jar'), 'utf8')).toBe('jar-a');
  });

  test('a directory without jars is an error', async () => {
    // GIVEN an empty jars directory
    const dir = makeTempDir('nojars-');
    writeTree(dir, { 'notes.txt': 'x' });

    // WHEN / THEN
    await expect(buildJava(LayerSource.java({ jarsDir: dir }).bind() as JavaSourceSpec, makeContext(JAVA_TARGET)))
      .rejects.toThrow(`LayerSource.java: jarsDir ${dir} holds no *.jar file, so the layer would be empty.`);
  });

  mvnTest('copies a pom\'s runtime dependencies (not test scope) with real Maven, offline', async () => {
    // GIVEN a pom with a runtime and a test-scoped dependency
    const dir = makeTempDir('pom-');
    writeTree(dir, {
      'pom.xml': `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>layer</artifactId><version>1.0</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>commons-io</groupId><artifactId>commons-io</artifactId><version>2.11.0</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.x</version><scope>test</scope></dependency>
  </dependencies>
</project>
`,
    });
    const spec = LayerSource.java({ pom: path.join(dir, 'pom.xml'), mavenArgs: ['-o', '-s', DEBIAN_SETTINGS] }).bind() as JavaSourceSpec;
    const ctx = makeContext(JAVA_TARGET);

    // WHEN built
    await buildJava(spec, ctx);

    // THEN exactly the runtime jar is in java/lib/, identical to the repository's
    expect(listFiles(ctx.staging)).toEqual(['java/lib/commons-io-2.11.0.jar']);
    expect(fs.readFileSync(path.join(ctx.staging, 'java/lib/commons-io-2.11.0.jar')).equals(fs.readFileSync(COMMONS_IO))).toBe(true);
  });

  test('a pom build without mvn on PATH says which tool is missing and how to get it', async () => {
    // GIVEN a pom and a PATH without mvn
    const dir = makeTempDir('pom-nomvn-');
    writeTree(dir, { 'pom.xml': '<project/>' });
    const spec = LayerSource.java({ pom: path.join(dir, 'pom.xml') }).bind() as JavaSourceSpec;
    const savedPath = process.env.PATH;
    process.env.PATH = makeTempDir('emptypath-');
    try {
      // WHEN / THEN
      const err = await buildJava(spec, makeContext(JAVA_TARGET)).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(MissingToolError);
      expect((err as Error).message).toBe("LayerSource.java with a pom (mvn) needs 'mvn', which is not on PATH. Fix: install Maven (Debian: apt-get install maven).");
    } finally {
      process.env.PATH = savedPath;
    }
  });

  test('giving both or neither of jarsDir and pom is rejected at once', () => {
    const dir = makeTempDir('both-');
    writeTree(dir, { 'pom.xml': '<project/>' });
    expect(() => LayerSource.java({ jarsDir: dir, pom: path.join(dir, 'pom.xml') } as never))
      .toThrow("LayerSource.java: give exactly one of 'jarsDir' (a directory of jars) or 'pom' (a pom.xml).");
    expect(() => LayerSource.java({} as never)).toThrow(/give exactly one of 'jarsDir'/);
  });
});
