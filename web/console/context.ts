/** What every page of the console is given: the API client, the officer's city and who signed in. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../shared/api';

export interface ConsoleContext {
  api: ApiClient;
  city: string;
  cities: readonly string[];
  officer: string;
  role: string;
  go: (hash: string) => void;
}

export const Ctx = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('outside the console');
  return c;
}
