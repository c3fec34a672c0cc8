/** The IAM policy evaluator: AWS's policy language and evaluation logic over Gantry's principals. */
export type * from './policy-types.ts';
export { authorize } from './evaluate-policies.ts';
export { actionMatches } from './statement-matching.ts';
export { isKnownConditionOperator } from './condition-operators.ts';
export { statementPositions, type StatementPosition, type TextPosition } from './statement-positions.ts';
