import type { GrantRecord } from './assembly';
import { LayersmithValidationError } from './errors';
import type { PlatformId } from './model';

/**
 * Who may use a layer's versions. A grant is declared once and applies to every version the layer
 * publishes; each platform renders what it can express (see planGrants).
 */

// Full-match patterns (AWS AddLayerVersionPermission). AWS's own validator anchors these loosely
// and accepts e.g. '123456789012-junk'; layersmith anchors both ends around grouped alternatives.
const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT_ARN = /^arn:(aws(?:-cn|-us-gov)?):iam::(\d{12}):root$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const STATEMENT_ID = /^[a-zA-Z0-9_-]{1,100}$/;

/** The lambda action a layer permission grants (the only one AddLayerVersionPermission accepts). */
export const LAYER_PERMISSION_ACTION = 'lambda:GetLayerVersion';

/** One grant of access to every version of a layer. */
export class LayerGrant {
  /**
   * Lets one AWS account use the layer's versions.
   * @param id a 12-digit account id or an `arn:aws|aws-cn|aws-us-gov:iam::<12 digits>:root` principal.
   */
  public static account(id: string): LayerGrant {
    if (typeof id === 'string' && ACCOUNT_ID.test(id)) {
      return new LayerGrant('account', id, undefined, `account-${id}`);
    }
    const m = typeof id === 'string' ? ACCOUNT_ROOT_ARN.exec(id) : null;
    if (m) {
      const [, partition, account] = m;
      const key = partition === 'aws' ? `account-${account}` : `account-${partition}-${account}`;
      return new LayerGrant('account', id, undefined, key);
    }
    throw new LayersmithValidationError('BAD_ACCOUNT_ID',
      `Invalid account for LayerGrant.account('${String(id)}'): expected exactly 12 digits (e.g. 123456789012) `
      + 'or arn:aws:iam::<12 digits>:root (partitions aws, aws-cn, aws-us-gov). '
      + 'Fix: pass the account id without spaces, dashes or extra text.',
    );
  }

  /**
   * Lets every account of an AWS Organization use the layer's versions (principal '*').
   * @param orgId an organization id `o-` followed by 10-32 lower-case letters or digits.
   */
  public static organization(orgId: string): LayerGrant {
    if (typeof orgId !== 'string' || !ORGANIZATION_ID.test(orgId)) {
      throw new LayersmithValidationError('BAD_ORGANIZATION_ID',
        `Invalid organization id for LayerGrant.organization('${String(orgId)}'): expected o- followed by 10-32 `
        + 'lower-case letters or digits (e.g. o-a1b2c3d4e5). Fix: copy the id from AWS Organizations.',
      );
    }
    return new LayerGrant('organization', '*', orgId, `org-${orgId}`);
  }

  /** Lets anyone use the layer's versions. Public access is always explicit. */
  public static public(): LayerGrant {
    return new LayerGrant('public', '*', undefined, 'public');
  }

  private constructor(
    /** What the grant covers. */
    public readonly kind: 'account' | 'organization' | 'public',
    /** The AWS principal: an account id, a root ARN, or '*'. */
    public readonly principal: string,
    /** Organization id for organization grants. */
    public readonly organizationId: string | undefined,
    /** Stable identity, used to build statement ids; equal keys mean the same grant. */
    public readonly key: string,
  ) {}

  /** The grant in words, e.g. "account 123456789012". */
  public toString(): string {
    switch (this.kind) {
      case 'account': return `account ${this.principal}`;
      case 'organization': return `organization ${this.organizationId}`;
      default: return 'public (everyone)';
    }
  }
}

/** One AWS layer version permission statement. */
export interface GrantStatement {
  /** Statement id, `[a-zA-Z0-9-_]{1,100}`, stable for the grant. */
  readonly statementId: string;
  /** Principal: an account id, a root ARN, or '*'. */
  readonly principal: string;
  /** Organization id (principal is then '*'). */
  readonly organizationId?: string;
  /** Always lambda:GetLayerVersion. */
  readonly action: 'lambda:GetLayerVersion';
  /** The grant this statement renders. */
  readonly grant: LayerGrant;
}

/** What a platform renders for a layer's grants. */
export type GrantPlan =
  | {
    readonly platform: 'aws';
    /** One statement per grant, applied to every published version. */
    readonly statements: readonly GrantStatement[];
  }
  | {
    readonly platform: 'alicloud';
    /** The layer-wide ACL. */
    readonly acl: 'private' | 'public';
    /** The ACL as FC's API spells it: '0' private, '1' public. */
    readonly aclValue: '0' | '1';
  };

/**
 * Turns grants into what the platform can express. AWS: one statement per grant (the front-end
 * emits it for each version), duplicates merged. FC: a layer-wide ACL; account and organization
 * grants cannot be expressed there and throw, naming `subject` (the layer's construct path).
 */
export function planGrants(platform: PlatformId, grants: readonly LayerGrant[], subject: string): GrantPlan {
  for (const g of grants) {
    if (!(g instanceof LayerGrant)) {
      throw new LayersmithValidationError('BAD_GRANT', `${subject}: every grant must be made with LayerGrant.account(), LayerGrant.organization() or `
        + `LayerGrant.public(); got ${JSON.stringify(g)}.`);
    }
  }
  if (platform === 'aws') {
    const seen = new Set<string>();
    const statements: GrantStatement[] = [];
    for (const grant of grants) {
      if (seen.has(grant.key)) continue;
      seen.add(grant.key);
      const statementId = statementIdFor(grant);
      statements.push(Object.freeze({
        statementId,
        principal: grant.principal,
        ...(grant.organizationId ? { organizationId: grant.organizationId } : {}),
        action: LAYER_PERMISSION_ACTION,
        grant,
      }));
    }
    return Object.freeze({ platform: 'aws', statements: Object.freeze(statements) });
  }
  if (platform === 'alicloud') {
    const inexpressible = grants.filter((g) => g.kind !== 'public');
    if (inexpressible.length > 0) {
      throw new LayersmithValidationError('FC_GRANT_NOT_EXPRESSIBLE',
        `${subject}: Function Compute cannot share a layer with ${inexpressible.map((g) => g.toString()).join(', ')}: `
        + 'an FC layer has only a layer-wide ACL, private (0) or public (1), and no per-account or per-organization sharing. '
        + 'Fix: use LayerGrant.public() to let anyone with the ARN use it, or publish a copy of the layer in the other account.',
      );
    }
    const isPublic = grants.length > 0;
    return Object.freeze({ platform: 'alicloud', acl: isPublic ? 'public' : 'private', aclValue: isPublic ? '1' : '0' });
  }
  throw new LayersmithValidationError('UNKNOWN_PLATFORM', `${subject}: unknown platform '${String(platform)}': use 'aws' or 'alicloud'.`);
}

/** The stable statement id of a grant: 'layersmith-' plus its key. */
export function statementIdFor(grant: LayerGrant): string {
  const id = `layersmith-${grant.key}`;
  // Keys are built from validated parts; this guards the API limit should that ever change.
  if (!STATEMENT_ID.test(id)) {
    throw new LayersmithValidationError('BAD_STATEMENT_ID', `Statement id '${id}' for ${grant.toString()} breaks the rule [a-zA-Z0-9-_]{1,100}. Fix: `
      + 'make the grant with LayerGrant.account(), LayerGrant.organization() or LayerGrant.public(), whose ids always fit.');
  }
  return id;
}

/**
 * FC keeps one ACL per layer, not per version: throws when versions of one layer disagree,
 * naming `subject`, each version's ACL and the fix.
 */
export function checkFcAclConsistency(versions: readonly { version: string; acl: 'private' | 'public' }[], subject: string): void {
  const acls = new Set(versions.map((v) => v.acl));
  if (acls.size <= 1) return;
  const detail = versions.map((v) => `version ${v.version}: ${v.acl}`).join(', ');
  throw new LayersmithValidationError('FC_ACL_MISMATCH',
    `${subject}: Function Compute layer versions disagree on the ACL (${detail}), but FC keeps one ACL per layer, `
    + 'so setting one version\'s ACL changes every version. '
    + 'Fix: give every version the same grants, or publish the public content as a separate layer with its own name.',
  );
}

/** The assembly record of one AWS statement. */
export function toGrantRecord(statement: GrantStatement): GrantRecord {
  return {
    kind: statement.grant.kind,
    principal: statement.principal,
    ...(statement.organizationId ? { organizationId: statement.organizationId } : {}),
    statementId: statement.statementId,
  };
}

/** The assembly records of a plan: one per AWS statement; on FC one public record or none. */
export function toGrantRecords(plan: GrantPlan): GrantRecord[] {
  if (plan.platform === 'aws') return plan.statements.map(toGrantRecord);
  return plan.acl === 'public' ? [{ kind: 'public', principal: '*' }] : [];
}
