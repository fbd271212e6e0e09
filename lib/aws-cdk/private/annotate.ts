import { Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Finding } from '../../core';
import { noteFindings } from '../../frontend';

/** Warnings and infos become annotations on the construct, in the one text format of lib/core. */
export function annotateFindings(scope: Construct, findings: readonly Finding[]): void {
  noteFindings(scope.node.path, findings, {
    warning: (text, ruleId) => Annotations.of(scope).addWarningV2(`layersmith:${ruleId}`, text),
    info: (text) => Annotations.of(scope).addInfo(text),
  });
}
