import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload(): Promise<void>;
}

/**
 * Loads something for a component and keeps it with its error and progress. A reload keeps the previous data
 * on screen until the new answer arrives; answers that arrive after the inputs changed are dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await run();
      setState({ data, loading: false });
    } catch (error) {
      setState((s) => ({ data: s.data, error: error as Error, loading: false }));
    }
  }, [run]);
  useEffect(() => {
    let current = true;
    setState({ loading: true });
    run().then(
      (data) => current && setState({ data, loading: false }),
      (error: Error) => current && setState({ error, loading: false }),
    );
    return () => void (current = false);
  }, [run]);
  return { ...state, reload };
}
