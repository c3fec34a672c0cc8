import { useEffect, useRef, useState } from 'preact/hooks';
import { codecatalyst } from '../api/codecatalyst.ts';
import { ErrorMessage, Spinner } from '../components/ui.tsx';

/** How much of a log stays on screen; older output is dropped from the view. */
const MAX_CHARS = 2_000_000;
const POLL_MS = 1000;

/**
 * One action attempt's log (GetWorkflowRunActionLog, secrets masked by the server). While the action runs it
 * asks again from where the last answer ended (`offset`), so output appears as it is written, until the
 * server says the log is complete.
 */
export function ActionLog({ space, project, runId, action, attempt }: { space: string; project: string; runId: string; action: string; attempt: number }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'loading' | 'following' | 'done'>('loading');
  const [error, setError] = useState<Error | undefined>();
  const pre = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    let live = true;
    let offset = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setText('');
    setState('loading');
    const poll = async () => {
      try {
        const log = await codecatalyst.actionLog(space, project, runId, action, { offset, attempt });
        if (!live) return;
        offset = log.nextOffset;
        if (log.text) setText((t) => (t + log.text).slice(-MAX_CHARS));
        setError(undefined);
        if (log.complete) return setState('done');
        setState('following');
      } catch (thrown) {
        if (!live) return;
        setError(thrown as Error);
      }
      timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [space, project, runId, action, attempt]);
  // Keeps the newest output in view unless the reader scrolled up.
  useEffect(() => {
    const el = pre.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div class="log">
      <div class="log-head">
        <span>Log of {action}, attempt {attempt}</span>
        {state === 'loading' && <Spinner label="Loading log" />}
        {state === 'following' && <span class="following"><Spinner label="Following" /> following</span>}
        {state === 'done' && <span>complete</span>}
      </div>
      <ErrorMessage error={error} />
      <pre class="log-text" ref={pre} data-testid={`action-log-${action}`} tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLPreElement;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
        }}>{text || (state === 'done' ? '(no output)' : '')}</pre>
    </div>
  );
}
