import { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { stageRuleFailure } from '../../frontend';

/** Marks a stage whose layersmith rules one validation on the stage itself checks. */
const RULE_CHECK = Symbol.for('layersmith/aws-cdk:rule-check');

/** A stage's check: the constructs with rules, and whether it is validating the stage itself. */
interface StageCheck {
  readonly rules: Map<IConstruct, () => string | undefined>;
  collecting: boolean;
}

const CDK_TREE = {
  children: (c: IConstruct) => c.node.children,
  isStage: (c: IConstruct) => Stage.isStage(c),
  path: (c: IConstruct) => c.node.path,
};

/**
 * Has `errors` (a construct's layersmith rule errors, as one text) checked by one validation on
 * the construct's stage. CDK validates a stage before anything in it and would wrap every message
 * in a bare Error; when a rule fails, this validation validates the stage's constructs itself, in
 * CDK's order and text, and throws one LayersmithValidationError (RULE_FAILED) with every problem
 * in it. Each validation still runs once: CDK, having started with the stage, never reaches the
 * others.
 */
export function checkRulesAtStage(construct: IConstruct, errors: () => string | undefined): void {
  const stage = Stage.of(construct) ?? construct.node.root;
  const marked = stage as unknown as { [RULE_CHECK]?: StageCheck };
  let check = marked[RULE_CHECK];
  if (!check) {
    const created: StageCheck = { rules: new Map(), collecting: false };
    Object.defineProperty(stage, RULE_CHECK, { value: created });
    stage.node.addValidation({ validate: () => validateStage(stage, created) });
    check = created;
  }
  check.rules.set(construct, errors);
}

function validateStage(stage: IConstruct, check: StageCheck): string[] {
  // Validating the stage itself below asks this validation again.
  if (check.collecting) return [];
  check.collecting = true;
  try {
    const failure = stageRuleFailure<IConstruct>(stage, CDK_TREE, (c) => {
      const errors = check.rules.get(c)?.();
      return errors ? [errors] : undefined;
    }, (c) => c.node.validate());
    if (failure) throw failure;
    return [];
  } finally {
    check.collecting = false;
  }
}
