/**
 * The AWS SDK for Python (boto3 + botocore) each AWS Lambda Python runtime ships in /var/runtime.
 *
 * Source: the Lambda Developer Guide's runtime table, "AWS SDK for Python" column
 * (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html; awsdocs/aws-lambda-developer-guide
 * doc_source/lambda-runtimes.md): boto3-1.17.100/botocore-1.20.100 (mid 2021, python3.6-3.8),
 * boto3-1.18.55/botocore-1.21.55 (late 2021, python3.7-3.9), boto3-1.20.32/botocore-1.23.32
 * (2022, python3.7-3.9). Today's guide (lambda-python.html, "Runtime-included SDK versions")
 * says the version depends on the runtime version and the Region and no longer lists it.
 *
 * So each value is a floor: the newest version the guide listed for the runtime, or, for a
 * runtime released after the guide stopped listing versions (python3.10 and later), the newest
 * version listed for any older runtime (marked unconfirmed). A layer older than the floor is
 * certainly older than what the runtime ships; AWS only moves the bundled SDK forward.
 */
export interface RuntimeSdk {
  readonly boto3: string;
  readonly botocore: string;
  /** True when no primary source lists the version for this runtime. */
  readonly unconfirmed: boolean;
}

const LISTED: RuntimeSdk = { boto3: '1.20.32', botocore: '1.23.32', unconfirmed: false };
const FLOOR: RuntimeSdk = { boto3: '1.20.32', botocore: '1.23.32', unconfirmed: true };

/** Lambda runtime id -> bundled SDK floor. */
export const AWS_PYTHON_RUNTIME_SDKS: Readonly<Record<string, RuntimeSdk>> = Object.freeze({
  'python3.7': LISTED,
  'python3.8': LISTED,
  'python3.9': LISTED,
  'python3.10': FLOOR,
  'python3.11': FLOOR,
  'python3.12': FLOOR,
  'python3.13': FLOOR,
  'python3.14': FLOOR,
});

/** Compares dotted numeric versions ('1.26.90' < '1.29.0'); a non-numeric part compares as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.+-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
