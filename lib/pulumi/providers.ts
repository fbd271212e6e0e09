import type * as alicloudSdk from '@pulumi/alicloud';
import type * as awsSdk from '@pulumi/aws';
import { LayersmithValidationError } from '../core';
import type { PlatformId } from '../core';
import { validationError } from '../frontend';

/**
 * Each provider SDK is an optional peer: an AWS user never installs @pulumi/alicloud and the
 * reverse, so a provider is loaded only when a component for its platform is created.
 */
export function loadAws(): typeof awsSdk {
  return loadSdk('@pulumi/aws', 'aws') as typeof awsSdk;
}

export function loadAlicloud(): typeof alicloudSdk {
  return loadSdk('@pulumi/alicloud', 'alicloud') as typeof alicloudSdk;
}

/** Loads a provider SDK, or says which package to install when it is missing. */
export function loadSdk(pkg: string, platform: PlatformId): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(pkg);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new LayersmithValidationError('MISSING_SDK',
        `layersmith/pulumi: platform '${platform}' needs the ${pkg} package, which is not installed. Fix: npm install ${pkg}`);
    }
    throw e;
  }
}

/** Type token of a layersmith component, e.g. 'layersmith:aws:RuntimeLayer'. */
export function typeToken(platform: PlatformId, component: string): string {
  return `layersmith:${platform}:${component}`;
}

/** Refuses anything but the two platforms, naming the component and the value. */
export function checkPlatform(platform: unknown, subject: string): PlatformId {
  if (platform !== 'aws' && platform !== 'alicloud') {
    throw validationError(subject, `unknown platform ${JSON.stringify(platform)}. Fix: set platform to 'aws' or 'alicloud'.`, 'UNKNOWN_PLATFORM');
  }
  return platform;
}
