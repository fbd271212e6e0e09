import { Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { formatFindings } from '../../core';
import type { Finding } from '../../core/model';

/** Warnings and infos become annotations on the construct, in the one text format of lib/core. */
export function annotateFindings(scope: Construct, findings: readonly Finding[]): void {
  for (const finding of findings) {
    if (finding.severity === 'warning') {
      Annotations.of(scope).addWarningV2(`layersmith:${finding.ruleId}`, formatFindings(scope.node.path, [finding]));
    } else if (finding.severity === 'info') {
      Annotations.of(scope).addInfo(formatFindings(scope.node.path, [finding]));
    }
  }
}
