import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider as UrqlProvider } from 'urql';
import { createApiClient } from '../api/client';
import { loadConfig, type PortalConfig } from './config';
import { loadSession, saveSession, type Session } from './session';

interface AuthState {
  session: Session | null;
  config: PortalConfig | null;
  configError: Error | null;
  signIn(session: Session): void;
  signOut(): void;
}

const AuthContext = createContext<AuthState | null>(null);

/** The signed-in session (kept for this tab only) and the API client that sends its token. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [config, setConfig] = useState<PortalConfig | null>(null);
  const [configError, setConfigError] = useState<Error | null>(null);
  const token = useRef<string | null>(session?.token ?? null);
  token.current = session?.token ?? null;
  useEffect(() => {
    loadConfig().then(setConfig, (error: Error) => setConfigError(error));
  }, []);
  // A new client per session: nothing one person's cache holds is shown to the next.
  const client = useMemo(() => createApiClient(() => token.current), [session?.token]);
  const value = useMemo<AuthState>(
    () => ({
      session,
      config,
      configError,
      signIn(next) {
        saveSession(next);
        token.current = next.token;
        setSession(next);
      },
      signOut() {
        saveSession(null);
        token.current = null;
        setSession(null);
      },
    }),
    [session, config, configError],
  );
  return (
    <AuthContext.Provider value={value}>
      <UrqlProvider value={client}>{children}</UrqlProvider>
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
