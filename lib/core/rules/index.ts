import type { StackRule } from '../context';
import { ARCH_COMPAT } from './ls-arch-compat';
import { CUSTOM_RUNTIME_ENV } from './ls-custom-runtime-env';
import { DUPLICATE_LAYER } from './ls-duplicate-layer';
import { GLIBC } from './ls-glibc';
import { LAYER_ARN } from './ls-layer-arn';
import { LAYER_COUNT } from './ls-layer-count';
import { LAYOUT } from './ls-layout';
import { NATIVE_BINARY } from './ls-native-binary';
import { PACKAGE_VERSION_CONFLICT } from './ls-package-version-conflict';
import { PYTHON_WHEEL_TAG } from './ls-python-wheel-tag';
import { DEPRECATED_RUNTIME, UNKNOWN_RUNTIME } from './ls-runtime';
import { RUNTIME_COMPAT } from './ls-runtime-compat';
import { RUNTIME_SHADOW } from './ls-runtime-shadow';
import { SHADOWED_FILE } from './ls-shadowed-file';
import { UNKNOWN_LAYER } from './ls-unknown-layer';
import { UNZIPPED_BUDGET } from './ls-unzipped-budget';

export { glibcFindings, runtimeWithGlibc } from './ls-glibc';
export { unpinnedFindings } from './ls-unpinned';
export { layoutFindings, layoutOf, type LayoutResult } from './ls-layout';
export { nativeFindings } from './ls-native-binary';
export { wheelIncompatibility, wheelTagFindings } from './ls-python-wheel-tag';

/** Every stack rule, in the order analyzeStack runs them. A test pins the ids. */
export const STACK_RULES: readonly StackRule[] = Object.freeze([
  UNKNOWN_RUNTIME,
  DEPRECATED_RUNTIME,
  LAYER_COUNT,
  DUPLICATE_LAYER,
  LAYER_ARN,
  UNZIPPED_BUDGET,
  RUNTIME_COMPAT,
  ARCH_COMPAT,
  LAYOUT,
  SHADOWED_FILE,
  PACKAGE_VERSION_CONFLICT,
  RUNTIME_SHADOW,
  NATIVE_BINARY,
  PYTHON_WHEEL_TAG,
  GLIBC,
  UNKNOWN_LAYER,
  CUSTOM_RUNTIME_ENV,
]);
