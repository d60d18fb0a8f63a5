import { useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/context';
import { completeOidcSignIn } from '../auth/oidc';
import { HOME, sessionFromToken } from '../auth/session';
import { ErrorNotice, Loading, Page } from '../components/ui';
import { useI18n } from '../i18n';
import { Link, useRouter } from '../router';

/** Where the identity provider sends the browser back with an authorization code. */
export function CallbackPage() {
  const { config, signIn } = useAuth();
  const { t } = useI18n();
  const { navigate } = useRouter();
  const [error, setError] = useState<Error | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (config?.signIn !== 'oidc' || started.current) return;
    started.current = true;
    completeOidcSignIn(config.oidc, new URL(window.location.href)).then(
      ({ accessToken, name }) => {
        const session = sessionFromToken(accessToken, 'oidc', name);
        signIn(session);
        navigate(session.kind === 'person' || session.kind === 'member' ? '/member' : HOME[session.kind], { replace: true });
      },
      (e: Error) => setError(e),
    );
  }, [config, signIn, navigate]);
  return (
    <Page title={t('signIn.completing')}>
      {error ? (
        <>
          <ErrorNotice error={error} />
          <Link to="/">{t('signIn.again')}</Link>
        </>
      ) : (
        <Loading label={t('signIn.completing')} />
      )}
    </Page>
  );
}
