import type { Paged } from './use-pages.ts';
import { Button } from './ui.tsx';

/** Previous/next for a token-paged list. */
export function Pager({ paged, previous = 'Previous', next = 'Next' }: { paged: Paged<unknown>; previous?: string; next?: string }) {
  if (paged.index === 0 && !paged.hasNext) return null;
  return (
    <div class="pager">
      <Button variant="secondary" disabled={paged.index === 0} onClick={paged.previous}>{previous}</Button>
      <span class="muted">Page {paged.index + 1}</span>
      <Button variant="secondary" disabled={!paged.hasNext} busy={paged.page.loading} onClick={paged.next}>{next}</Button>
    </div>
  );
}
