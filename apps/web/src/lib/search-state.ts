import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router";

/**
 * State kept in the URL's query string (shareable, survives a reload, follows back/forward), but
 * applied at once: a router navigation settles asynchronously (route loaders run again first), and
 * a checkbox that waits for it would lag behind the click.
 */
export function useSearchState<T>(read: (params: URLSearchParams) => T, write: (value: T) => URLSearchParams) {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const [state, setState] = useState(() => ({ key, value: read(params) }));

  // The URL changed from outside (back/forward, a link): follow it.
  useEffect(() => {
    setState((s) => (s.key === key ? s : { key, value: read(new URLSearchParams(key)) }));
  }, [key]);

  const set = useCallback(
    (value: T) => {
      const next = write(value);
      setState({ key: next.toString(), value });
      setParams(next, { replace: true, preventScrollReset: true });
    },
    [write, setParams],
  );

  return [state.value, set] as const;
}
