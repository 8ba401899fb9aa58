/** Loads what a page shows, again on `reload()` or every `pollMs` (live sale runs). */
import { useEffect, useState } from 'preact/hooks';

export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
  pollMs?: number,
): { data?: T; error?: string; reload: () => void } {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && (setData(d), setError(undefined)))
      .catch((e: Error) => live && setError(e.message));
    const timer = pollMs ? setTimeout(() => setTick((t) => t + 1), pollMs) : undefined;
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
