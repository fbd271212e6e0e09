import * as ros from '@alicloud/ros-cdk-core';
import { stageRuleFailure } from '../../frontend';

/** Where a construct keeps its layersmith rules (see {@link checkRulesAtStage}). */
const RULES = Symbol.for('layersmith/ros-cdk:rules');

type WithRules = ros.IConstruct & { [RULES]?: () => readonly string[] };

const ROS_TREE = {
  children: (c: ros.IConstruct) => c.node.children,
  isStage: (c: ros.IConstruct) => ros.Stage.isStage(c),
  path: (c: ros.IConstruct) => c.node.path,
};

/** Marks `construct` as one whose layersmith rule errors `rules` gives; its `onValidate` calls {@link validateAtStage}. */
export function checkRulesAtStage(construct: ros.IConstruct, rules: () => readonly string[]): void {
  Object.defineProperty(construct, RULES, { value: rules });
}

/**
 * A checked construct's `onValidate`. ROS CDK wraps every validation message in a bare Error and
 * has no validation on the stage: the stage's first checked construct checks them all and, when
 * a rule fails, throws one LayersmithValidationError (RULE_FAILED) with every construct's
 * problems, in the framework's order and text. The constructs validated before it are asked again
 * (ROS validations are pure); the framework never reaches the others.
 */
export function validateAtStage(construct: ros.IConstruct): string[] {
  const stage = ros.Stage.of(construct) ?? construct.node.root;
  const rulesOf = (c: ros.IConstruct) => (c as WithRules)[RULES];
  const first = stageFirst(stage, (c) => rulesOf(c) !== undefined);
  if (first !== construct) return [];
  const failure = stageRuleFailure<ros.IConstruct>(stage, ROS_TREE, (c) => rulesOf(c)?.(), (c) => (rulesOf(c) ? [] : validationsOf(c)));
  if (failure) throw failure;
  return [];
}

/** The first construct of the stage, in validation order, that `matches`. */
function stageFirst(stage: ros.IConstruct, matches: (c: ros.IConstruct) => boolean): ros.IConstruct | undefined {
  const visit = (c: ros.IConstruct): ros.IConstruct | undefined => {
    if (matches(c)) return c;
    for (const child of c.node.children) {
      const found = ros.Stage.isStage(child) ? undefined : visit(child);
      if (found) return found;
    }
    return undefined;
  };
  return visit(stage);
}

/** A construct's own validation messages, as ROS CDK's synth asks for them. */
function validationsOf(construct: ros.IConstruct): string[] {
  const validate = (construct as unknown as { onValidate?: () => string[] }).onValidate;
  return typeof validate === 'function' ? validate.call(construct) : [];
}
