// Local runs of a function with its real layer stack: /opt materialized as the platform does it,
// the runtime's search paths, and a runner per language. Imports lib/core and lib/engine only,
// never the CLI, a front-end or an IaC SDK.
export { invokeLocally, materializeFunctionOpt, LAYERSMITH_OPT, LAYERSMITH_NO_NAMESPACE } from './invoke';
export type { InvokeLocallyOptions, InvokeLocallyResult, InvokeStart, OptMode } from './invoke';
export { materializeOpt } from './materialize';
export type { LocalLayer, MaterializeOptions, OptResult, ShadowedOptPath } from './materialize';
export { resolveFunction } from './resolve';
export type { LocalCode, LocalFunction } from './resolve';
export { findNode, findPython } from './interpreters';
// Bad input (what the CLI reports as one line with exit 2) is thrown as this class.
export { UsageError } from '../core/errors';
export type { Interpreter } from './interpreters';
