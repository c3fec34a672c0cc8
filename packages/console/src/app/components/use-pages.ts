import { useState } from 'preact/hooks';
import { useLoad, type Loaded } from './use-load.ts';

export interface Paged<T> {
  page: Loaded<{ items: T[]; next?: string }>;
  index: number;
  hasNext: boolean;
  next(): void;
  previous(): void;
}

/**
 * One page of a list the API pages with a continuation token (IAM's Marker, CloudTrail's NextToken): the
 * tokens of the pages seen so far are kept, so going back needs no token the API does not give. Changing
 * `deps` (a filter) starts again at the first page.
 */
export function useTokenPages<T>(load: (token: string | undefined) => Promise<{ items: T[]; next?: string }>, deps: unknown[]): Paged<T> {
  const [state, setState] = useState<{ key: string; tokens: (string | undefined)[]; index: number }>({ key: JSON.stringify(deps), tokens: [undefined], index: 0 });
  const key = JSON.stringify(deps);
  // After a filter changed, the first page of the new list (the old tokens mean nothing to it).
  const current = state.key === key ? state : { key, tokens: [undefined], index: 0 };
  const page = useLoad(() => load(current.tokens[current.index]), [key, current.index]);
  return {
    page,
    index: current.index,
    hasNext: !!page.data?.next,
    next() {
      const token = page.data?.next;
      if (token) setState({ key, tokens: [...current.tokens.slice(0, current.index + 1), token], index: current.index + 1 });
    },
    previous() {
      if (current.index > 0) setState({ ...current, index: current.index - 1 });
    },
  };
}
