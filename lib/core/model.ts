/**
 * The plain data that flows through layersmith: what the build engine writes (a layer manifest),
 * what a function's stack looks like to the rules, and what the rules return (findings).
 *
 * Everything here is JSON-serialisable: manifests are written next to artifacts and read back
 * by the front-ends and by `layersmith report`.
 */

/** The platforms layersmith targets. */
export type PlatformId = 'aws' | 'alicloud';

/** Instruction set architectures a function can run on. FC runs x86_64 only. */
export type ArchitectureId = 'x86_64' | 'arm64';

/** One entry of a layer ZIP. */
export interface ManifestEntry {
  /** Path inside the ZIP, forward slashes, no leading slash; directories end with '/'. */
  readonly path: string;
  /** Unzipped size in bytes (0 for directories and symlinks count their target text). */
  readonly size: number;
  /** Compressed size in bytes. */
  readonly compressedSize: number;
  /** Unix permission bits (e.g. 0o644, 0o755). */
  readonly mode: number;
  /** What the entry is. */
  readonly type: 'file' | 'directory' | 'symlink';
  /** For symlinks: the link target text. */
  readonly linkTarget?: string;
}

/** Operating systems a native binary can be built for. */
export type BinaryOs = 'linux' | 'darwin' | 'windows' | 'unknown';

/** CPU families a native binary can be built for. */
export type BinaryCpu = 'x86_64' | 'arm64' | 'x86' | 'arm' | 'other';

/** A native binary found in a layer, identified from its header bytes. */
export interface NativeBinary {
  /** Path inside the ZIP. */
  readonly path: string;
  /** Container format read from the magic bytes. */
  readonly format: 'elf' | 'macho' | 'pe';
  readonly os: BinaryOs;
  readonly cpu: BinaryCpu;
  /** Human detail, e.g. 'ELF 64-bit e_machine=183 (AArch64)'. */
  readonly detail?: string;
  /** ELF: the highest GLIBC_X.Y symbol version it needs ('2.34'), read from .gnu.version_r; absent when none. */
  readonly glibc?: string;
}

/** Ecosystems whose packages layersmith recognises inside a layer. */
export type PackageEcosystem = 'python' | 'node' | 'java' | 'php' | 'ruby';

/** A package (distribution) found in a layer, with its version. */
export interface PackageRecord {
  readonly ecosystem: PackageEcosystem;
  /** Normalised name (Python: PEP 503 lower-case, '-' separators; Node: package.json name). */
  readonly name: string;
  readonly version: string;
  /** Where the evidence sits in the ZIP (dist-info dir, package.json, jar file, gemspec...). */
  readonly path: string;
  /**
   * Files of the layer that belong to the package (Python: its RECORD, else its top-level
   * names; Node: its directory without nested node_modules; jar: the jar; gem: its directories).
   * Absent in manifests written before sizes were recorded.
   */
  readonly files?: number;
  /** Sum of those files' unzipped sizes in bytes. */
  readonly unzippedBytes?: number;
}

/** Files of a layer that belong to no recognised package (scripts, data, bin/, lib/...). */
export interface UnownedFiles {
  readonly files: number;
  readonly unzippedBytes: number;
}

/** What one slim rule removed (or, for 'strip-debug', shrank) in a layer. */
export interface SlimRuleResult {
  /** Rule id: a default-profile rule ('tests', 'strip-debug', ...) or 'remove:<glob>'. */
  readonly rule: string;
  /** Files removed (strip-debug: files stripped). */
  readonly files: number;
  /** Bytes saved. */
  readonly bytes: number;
}

/** The record of slimming a layer before it was packed. */
export interface SlimRecord {
  /** Unzipped bytes of the staged layer before slimming. */
  readonly beforeBytes: number;
  /** Unzipped bytes after slimming. */
  readonly afterBytes: number;
  /** beforeBytes - afterBytes. */
  readonly savedBytes: number;
  /** Per rule, in profile order; rules that removed nothing are left out. */
  readonly rules: readonly SlimRuleResult[];
  /** Files a rule would have removed but a kept module imports (or a keep glob names). */
  readonly kept: readonly { readonly path: string; readonly reason: string }[];
  /** Shared objects left unstripped, and why (vendored library, program headers would move, ...). */
  readonly stripSkipped: readonly { readonly path: string; readonly reason: string }[];
  /** The import check after slimming. */
  readonly verification: {
    /** False when no check could run; `note` says why. */
    readonly ran: boolean;
    /** Interpreter used, e.g. 'python3.11 (3.11.7)'. */
    readonly interpreter?: string;
    /** Modules that imported after slimming. */
    readonly modules: readonly string[];
    /** Modules that did not import before slimming either (not slim's doing). */
    readonly alreadyBroken?: readonly string[];
    readonly note?: string;
  };
}

/** Wheel tags read from a `*.dist-info/WHEEL` file. */
export interface WheelTagRecord {
  /** Path of the WHEEL file inside the ZIP. */
  readonly path: string;
  /** e.g. ['cp312-cp312-manylinux_2_17_x86_64'] or ['py3-none-any']. */
  readonly tags: readonly string[];
}

/** A file left out of the layer on purpose (default excludes, user excludes). */
export interface ExcludedFile {
  /** Path relative to the source root. */
  readonly path: string;
  /** Why it was left out, e.g. 'secret: .env file', 'junk: __pycache__'. */
  readonly reason: string;
  /** True when the file looked like a secret (reported loudly). */
  readonly secret: boolean;
}

/** The description of one layer ZIP. Written as `<artifact>.manifest.json`. */
export interface LayerManifest {
  /** Bumped when the shape changes incompatibly. */
  readonly schemaVersion: 1;
  /** Facts about the ZIP file itself. */
  readonly zip: {
    /** Base64 SHA-256 of the ZIP bytes (AWS `CodeSha256`). */
    readonly sha256: string;
    /** CRC-64/XZ of the ZIP bytes as an unsigned decimal string (FC `code.checksum`). */
    readonly crc64: string;
    /** ZIP file size in bytes. */
    readonly zippedSize: number;
    /** Sum of entry sizes in bytes. */
    readonly unzippedSize: number;
    readonly entryCount: number;
  };
  /** Every entry, sorted by path. */
  readonly entries: readonly ManifestEntry[];
  readonly natives: readonly NativeBinary[];
  readonly wheelTags: readonly WheelTagRecord[];
  readonly packages: readonly PackageRecord[];
  /** Bytes of files that belong to no package (absent in manifests written before sizes were recorded). */
  readonly unowned?: UnownedFiles;
  /** What `slim` removed before packing (absent when the source did not ask for it). */
  readonly slim?: SlimRecord;
  /** Files the build left out (empty for a ZIP inspected as-is). */
  readonly excluded: readonly ExcludedFile[];
  /** The highest GLIBC_X.Y any native binary of the layer needs ('2.34'); absent when none needs one. */
  readonly glibc?: string;
  /** How it was built (absent for a ZIP that was only inspected). */
  readonly build?: {
    /** The source kind, e.g. 'directory', 'python', 'node'. */
    readonly source: string;
    /** The content-addressed input key (hex); also the CDK asset hash. */
    readonly inputKey: string;
    /** Target the build was for. */
    readonly platform: PlatformId;
    readonly architecture: ArchitectureId;
    readonly runtimes: readonly string[];
    /** layersmith version that built it. */
    readonly builder: string;
    /** Requirements installed without an exact pin or a lockfile (the LS-UNPINNED warning). */
    readonly unpinned?: readonly string[];
    /** What the build chose and says, e.g. which runtime's OS wheels were selected for. */
    readonly notes?: readonly string[];
  };
}

/** A layer as the stack rules see it. */
export interface StackLayer {
  /**
   * Identity of the layer regardless of version: a construct path, or the unversioned ARN for an
   * imported layer. Two entries with the same `layerId` are the same layer attached twice.
   */
  readonly layerId: string;
  /** Name to show in messages (construct path or ARN). */
  readonly displayName: string;
  /** Versioned ARN when known. */
  readonly arn?: string;
  /** Runtimes the layer declares (undefined: not declared / unknown). */
  readonly compatibleRuntimes?: readonly string[];
  /** Architectures the layer declares (undefined: not declared / unknown). */
  readonly compatibleArchitectures?: readonly ArchitectureId[];
  /** The built layer's manifest; undefined for a layer known only by ARN. */
  readonly manifest?: LayerManifest;
}

/** A function and its ordered layer stack, as the stack rules see it. */
export interface StackInput {
  readonly platform: PlatformId;
  readonly function: {
    /** Construct path or name, used in messages. */
    readonly path: string;
    /** Runtime identifier as the platform spells it ('python3.12', 'nodejs20', 'custom.debian12'). */
    readonly runtime: string;
    readonly architecture: ArchitectureId;
    /** Unzipped size of the function's own code, when known. */
    readonly codeSize?: number;
  };
  /** Layers in the declared order (the order deployed). */
  readonly layers: readonly StackLayer[];
  /** Per-app overrides of unconfirmed or configurable limits. */
  readonly limits?: Partial<PlatformLimitOverrides>;
}

/** Limits a user may override per app (unconfirmed facts are defaults, not truths). */
export interface PlatformLimitOverrides {
  readonly maxLayersPerFunction: number;
  readonly maxUnzippedBytes: number;
  /** Largest ZIP uploaded inline with the API request (bytes). */
  readonly maxInlineZipBytes: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** One result of one rule. */
export interface Finding {
  /** Stable rule id, e.g. 'LS-LAYER-COUNT'. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** What is wrong, where, and the numbers. */
  readonly message: string;
  /** How to fix it. */
  readonly fix?: string;
  /** Which layer (displayName) the finding is about, when it is about one. */
  readonly layer?: string;
  /** Machine-readable numbers and names behind the message. */
  readonly data?: Readonly<Record<string, unknown>>;
}
