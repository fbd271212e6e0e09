import type { Finding } from '../core';

/** lib/core's rule that lists the variables a custom runtime needs to find layer content. */
const CUSTOM_RUNTIME_ENV_RULE = 'LS-CUSTOM-RUNTIME-ENV';

/**
 * The literal `NAME=value` settings the custom-runtime finding lists (PYTHONPATH=/opt/python, ...),
 * for `setLayerEnvironment`. Settings that extend a variable (PATH=/opt/bin:$PATH) cannot be a literal
 * and stay in the finding. Which directory needs which variable stays in lib/core.
 */
export function layerEnvironment(findings: readonly Finding[]): Record<string, string> | undefined {
  const finding = findings.find((f) => f.ruleId === CUSTOM_RUNTIME_ENV_RULE);
  if (!finding) return undefined;
  const env: Record<string, string> = {};
  const settings = Array.isArray(finding.data?.env) ? finding.data!.env as unknown[] : [];
  for (const setting of settings) {
    const m = typeof setting === 'string' ? /^([A-Z_][A-Z0-9_]*)=([^$]*)$/.exec(setting) : null;
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** The user's variables over the layers' ones: the user's own values win. */
export function withLayerEnvironment<T extends object>(user: T | undefined, layers: Record<string, string>): T | Record<string, string> {
  return { ...layers, ...user };
}
