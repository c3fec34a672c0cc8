import { useEffect, useRef, useState } from 'preact/hooks';
import { Spinner } from '../components/ui.tsx';

/** How much of a log stays on screen; older output is dropped from the view (the full log stays at its URL). */
const MAX_CHARS = 2_000_000;

/**
 * One step's log. The log URL GetJob hands out is presigned (anyone holding it may read it, as with curl), so it
 * is read directly: with `&follow=1` while the step runs, the server keeps the response open and sends output as
 * it is written. The URL is made relative: the log is on this same server, whatever host name the URL names.
 */
/** `follow` is read when the log is first shown: whether the step was still running then. */
export function LiveLog({ logUrl, follow, stepName }: { logUrl: string; follow: boolean; stepName: string }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'loading' | 'following' | 'done' | 'error'>('loading');
  const [error, setError] = useState<string | undefined>();
  const pre = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const controller = new AbortController();
    const url = new URL(logUrl, location.href);
    const target = `${url.pathname}${url.search}${follow ? '&follow=1' : ''}`;
    (async () => {
      const response = await fetch(target, { signal: controller.signal, credentials: 'omit' });
      if (!response.ok || !response.body) throw new Error(`The log answered ${response.status}: ${await response.text()}`);
      setState(follow ? 'following' : 'loading');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        setText((t) => {
          const next = t + value;
          return next.length > MAX_CHARS ? next.slice(next.length - MAX_CHARS) : next;
        });
      }
      setState('done');
    })().catch((thrown: Error) => {
      if (controller.signal.aborted) return;
      setError(thrown.message);
      setState('error');
    });
    return () => controller.abort();
    // Read once per step: a followed log ends by itself when the step does, and the URL's signature changes on
    // every GetJob without the log changing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stepName]);
  // Keeps the newest output in view, unless the reader scrolled up to read something.
  useEffect(() => {
    const el = pre.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div class="log">
      <div class="log-head">
        <span>{stepName} log</span>
        {state === 'following' && <span class="following"><Spinner label="Following the log" /> live</span>}
        {state === 'loading' && <Spinner label="Loading the log" />}
      </div>
      <pre
        ref={pre} class="log-text" tabIndex={0} aria-label={`${stepName} log`} data-testid={`log-${stepName}`} aria-live="off"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {text}
      </pre>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
