import { useState } from 'react';
import { useAuth } from '../auth/context';
import { demoSignIn, type DemoIdentity } from '../auth/config';
import { startOidcSignIn } from '../auth/oidc';
import { HOME, sessionFromToken, type Session } from '../auth/session';
import { ErrorNotice, Loading, Page } from '../components/ui';
import { useI18n, type MessageKey } from '../i18n';
import { useRouter } from '../router';

const GROUPS: DemoIdentity['kind'][] = ['member', 'partner', 'charity', 'admin'];

export function SignInPage() {
  const { config, configError, signIn } = useAuth();
  const { t } = useI18n();
  const { navigate } = useRouter();
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const demo = async (key: string) => {
    setBusy(key);
    setError(null);
    try {
      const minted = await demoSignIn(key);
      const base = sessionFromToken(minted.token, 'demo', minted.identity.name);
      const session: Session = { ...base, kind: minted.identity.kind === 'admin' ? 'admin' : minted.identity.kind, expiresAt: minted.expiresAt };
      signIn(session);
      navigate(HOME[session.kind]);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Page title={t('signIn.title')}>
      <p className="lead">{t('signIn.intro')}</p>
      <ErrorNotice error={configError ?? error} />
      {!config && !configError ? <Loading /> : null}
      {config?.signIn === 'oidc' ? (
        <section className="card">
          <p>{t('signIn.oidcIntro', { issuer: new URL(config.oidc.issuer).host })}</p>
          <button
            type="button"
            className="primary"
            disabled={busy !== null}
            onClick={() => {
              setBusy('oidc');
              startOidcSignIn(config.oidc).catch((e: Error) => {
                setBusy(null);
                setError(e);
              });
            }}
          >
            {t('signIn.oidcButton')}
          </button>
        </section>
      ) : null}
      {config?.signIn === 'none' ? <p className="notice">{t('signIn.none', { reason: config.reason })}</p> : null}
      {config?.signIn === 'demo' ? (
        <>
          <p className="notice">{t('signIn.demoNotice')}</p>
          {GROUPS.map((kind) => {
            const identities = config.demo.identities.filter((i) => i.kind === kind);
            if (identities.length === 0) return null;
            return (
              <section className="card" key={kind} aria-labelledby={`demo-${kind}`}>
                <h2 id={`demo-${kind}`}>{t(`signIn.group.${kind}` as MessageKey)}</h2>
                <ul className="choices">
                  {identities.map((identity) => (
                    <li key={identity.key}>
                      <button type="button" onClick={() => void demo(identity.key)} disabled={busy !== null} aria-busy={busy === identity.key}>
                        {identity.name}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
          <section className="card" aria-labelledby="demo-person">
            <h2 id="demo-person">{t('signIn.group.person')}</h2>
            <p>{t('signIn.personIntro')}</p>
            <button type="button" className="primary" onClick={() => void demo('person')} disabled={busy !== null}>
              {t('signIn.personButton')}
            </button>
          </section>
        </>
      ) : null}
    </Page>
  );
}
