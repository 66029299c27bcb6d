import { createContext, useContext } from 'react';
import type { Api } from './api/client';
import type { Action, CurrentKey } from './api/types';

/** Where the key lives: this tab only, gone when it closes. */
export const SESSION_KEY = 'hookline.apiKey';

export interface Session {
  readonly api: Api;
  readonly apiKey: string;
  readonly me: CurrentKey;
  readonly can: (action: Action) => boolean;
  readonly signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
