import * as pulumi from '@pulumi/pulumi';

/** An FC layer version as the program declared it: what the ACL check across versions needs. */
export interface FcVersion {
  readonly layerName: string;
  /** `RuntimeLayer '<name>'`. */
  readonly subject: string;
  /** The ACL its grants ask for (final once declarations have ended). */
  acl(): 'private' | 'public';
}

/**
 * What one Pulumi program's layersmith components share: the FC layer versions it declares (FC
 * keeps one ACL per layer, so versions are checked against each other) and the end of its
 * declarations. Kept per program (per engine connection or mock monitor), derived only from the
 * components the program creates.
 */
export class Program {
  /** FC layer versions in declaration order. */
  public readonly fcVersions: FcVersion[] = [];
  private next?: { readonly promise: Promise<void>; readonly resolve: () => void };
  /** Set by endDeclarations(): the program said it declares nothing more, so nothing waits again. */
  private ended = false;

  constructor() {
    process.on('beforeExit', () => this.declarationsEnded());
  }

  /**
   * Resolves when the program has declared everything it will declare before waiting on results:
   * when Node's event loop runs out of work (`beforeExit`, the signal Pulumi's own runtime uses
   * for "the program is done"), or when the program calls {@link endDeclarations}. Grants and other
   * late declarations are taken up to this point, so nothing depends on how long a build takes.
   */
  public endOfDeclarations(): Promise<void> {
    if (this.ended) return Promise.resolve();
    if (!this.next) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.next = { promise, resolve };
    }
    return this.next.promise;
  }

  /** The program's own end of declarations: what `beforeExit` does, for good. */
  public end(): void {
    this.ended = true;
    this.declarationsEnded();
  }

  private declarationsEnded(): void {
    const next = this.next;
    this.next = undefined;
    next?.resolve();
  }
}

const programs = new WeakMap<object, Program>();
const NO_ENGINE = {};

/** The program this process is running (one per Pulumi engine connection or set of mocks). */
export function currentProgram(): Program {
  const key = (pulumi.runtime.getMonitor() as object | undefined) ?? NO_ENGINE;
  let program = programs.get(key);
  if (!program) {
    program = new Program();
    programs.set(key, program);
  }
  return program;
}

/**
 * Ends the declarations of the running Pulumi program, as the end of a program the Pulumi CLI
 * runs does (`beforeExit`). Layer versions wait for this to take up every grant the program
 * declares, so an Automation API inline program, whose process keeps running and never reaches
 * `beforeExit`, calls it after its last declaration; without it its layer versions are never
 * declared. A `LayerPermission` declared after the program then waited for a layer's outputs is
 * refused like a late one anywhere; a layer declared afterwards no longer waits.
 */
export function endDeclarations(): void {
  currentProgram().end();
}
