/**
 * Guards against documents that are valid but too expensive: too deeply nested, or selecting too many fields
 * once fragments are expanded (a "fragment bomb" repeats spreads to multiply the work). AppSync has the same
 * kind of limits (query depth limit, resolver count limit).
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface DocumentLimits {
  /** Deepest nesting of fields. @default 20 */
  maxDepth: number;
  /** Most fields selected after expanding fragments. @default 5000 */
  maxFields: number;
}

export type LimitViolation = { kind: 'depth' | 'fields'; limit: number };

/** Returns the first limit the operation exceeds, or undefined. Run after validation (no fragment cycles). */
export function checkDocumentLimits(document: DocumentNode, operation: OperationDefinitionNode, limits: DocumentLimits): LimitViolation | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let fields = 0;
  const walk = (set: SelectionSetNode, depth: number): LimitViolation | undefined => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (++fields > limits.maxFields) return { kind: 'fields', limit: limits.maxFields };
        if (selection.selectionSet) {
          if (depth + 1 > limits.maxDepth) return { kind: 'depth', limit: limits.maxDepth };
          const v = walk(selection.selectionSet, depth + 1);
          if (v) return v;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const v = walk(selection.selectionSet, depth);
        if (v) return v;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) {
          const v = walk(fragment.selectionSet, depth);
          if (v) return v;
        }
      }
    }
    return undefined;
  };
  return walk(operation.selectionSet, 1);
}
