/**
 * A policy document compiled into matchers, once. Every HTTP request is authorised, so the per-request work
 * must be lookups and string comparisons, not parsing: compiled policies are cached by document identity
 * and by source text. Documents are treated as immutable once handed to the evaluator (a changed policy is
 * a new object), and a `SourcedPolicy.text` must be the JSON its document was parsed from.
 */
import type { PolicyDocument, Statement } from './policy-types.ts';
import type { RequestContext } from './request-context.ts';
import { compileCondition, type ConditionMatcher } from './condition-operators.ts';
import { VARIABLES_VERSION } from './policy-variables.ts';
import {
  compileActions,
  compileNotPrincipal,
  compilePrincipal,
  compileResources,
  listOf,
  type ActionMatcher,
  type PrincipalMatcher,
  type ResourceMatcher,
} from './statement-matching.ts';
import { statementPositions, type StatementPosition } from './statement-positions.ts';

export interface CompiledStatement {
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  /** Action or NotAction, already negated where needed. */
  action: ActionMatcher;
  /** Resource or NotResource; undefined when the statement has neither (as in a role trust policy). */
  resource: ResourceMatcher | undefined;
  /** Principal or NotPrincipal; undefined when the statement has neither (as in an identity policy). */
  principal: PrincipalMatcher | undefined;
  condition: ConditionMatcher | undefined;
}

export class CompiledPolicy {
  readonly statements: CompiledStatement[];
  private positionsOf: { text: string; positions: StatementPosition[] } | undefined;

  constructor(document: PolicyDocument) {
    const variablesEnabled = document.Version === VARIABLES_VERSION;
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    this.statements = statements
      .map((statement, index) => compileStatement(statement, index, variablesEnabled))
      .filter((statement): statement is CompiledStatement => statement !== undefined);
  }

  /** Statement positions in `text` (the document's source), remembered for the last text seen. */
  positions(text: string): StatementPosition[] {
    if (this.positionsOf?.text !== text) this.positionsOf = { text, positions: statementPositions(text) };
    return this.positionsOf.positions;
  }
}

const byDocument = new WeakMap<PolicyDocument, CompiledPolicy>();
/** Callers that parse the stored JSON on every request still hit this one; insertion order evicts oldest. */
const byText = new Map<string, CompiledPolicy>();
const TEXT_CACHE_SIZE = 1024;

/** The compiled form of a document, from the caches when the same object (or the same text) was seen. */
export function compilePolicy(document: PolicyDocument, text?: string): CompiledPolicy {
  let compiled = byDocument.get(document);
  if (compiled !== undefined) return compiled;
  compiled = text === undefined ? undefined : byText.get(text);
  if (compiled === undefined) {
    compiled = new CompiledPolicy(document);
    if (text !== undefined) {
      if (byText.size >= TEXT_CACHE_SIZE) byText.delete(byText.keys().next().value!);
      byText.set(text, compiled);
    }
  }
  byDocument.set(document, compiled);
  return compiled;
}

const NOTHING: ActionMatcher = () => false;

/**
 * Undefined for a statement that cannot apply to anything (no valid Effect): it is skipped. A statement
 * with both or neither of Action/NotAction matches no action; validation reports such documents elsewhere.
 */
function compileStatement(statement: Statement, index: number, variablesEnabled: boolean): CompiledStatement | undefined {
  if (typeof statement !== 'object' || statement === null) return undefined;
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return undefined;
  return {
    index,
    sid: typeof statement.Sid === 'string' ? statement.Sid : undefined,
    effect: statement.Effect,
    action: compileActionElement(statement),
    resource: compileResourceElement(statement, variablesEnabled),
    principal:
      statement.Principal !== undefined
        ? compilePrincipal(statement.Principal)
        : statement.NotPrincipal !== undefined
          ? compileNotPrincipal(statement.NotPrincipal)
          : undefined,
    condition: compileCondition(statement.Condition, variablesEnabled),
  };
}

function compileActionElement(statement: Statement): ActionMatcher {
  const hasAction = statement.Action !== undefined;
  if (hasAction === (statement.NotAction !== undefined)) return NOTHING;
  if (hasAction) return compileActions(listOf(statement.Action));
  const listed = compileActions(listOf(statement.NotAction));
  return (action) => !listed(action);
}

function compileResourceElement(statement: Statement, variablesEnabled: boolean): ResourceMatcher | undefined {
  const hasResource = statement.Resource !== undefined;
  const hasNotResource = statement.NotResource !== undefined;
  if (!hasResource && !hasNotResource) return undefined;
  if (hasResource && hasNotResource) return () => false;
  if (hasResource) return compileResources(listOf(statement.Resource), variablesEnabled);
  const listed = compileResources(listOf(statement.NotResource), variablesEnabled);
  return (resource: string, context: RequestContext) => !listed(resource, context);
}
