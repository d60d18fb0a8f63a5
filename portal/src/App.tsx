import { useEffect, type ReactNode } from 'react';
import { AuthProvider, useAuth } from './auth/context';
import { HOME, type SessionKind } from './auth/session';
import { Page } from './components/ui';
import { I18nProvider, LANGUAGES, useI18n, type Locale, type MessageKey } from './i18n';
import { CallbackPage } from './pages/Callback';
import { CharityPage } from './pages/charity/Charity';
import { MemberGivePage } from './pages/member/Give';
import { MemberHistoryPage } from './pages/member/History';
import { MemberHomePage } from './pages/member/Home';
import { MemberOffersPage } from './pages/member/Offers';
import { MemberProfilePage } from './pages/member/Profile';
import { MemberRedeemPage } from './pages/member/Redeem';
import { OperatorDirectoryPage } from './pages/operator/Directory';
import { OperatorKpisPage } from './pages/operator/Kpis';
import { PartnerOffersPage } from './pages/partner/Offers';
import { PartnerOverviewPage } from './pages/partner/Overview';
import { PartnerStatementPage } from './pages/partner/Statement';
import { PartnerWebhooksPage } from './pages/partner/Webhooks';
import { SignInPage } from './pages/SignIn';
import { SignUpPage } from './pages/SignUp';
import { Link, RouterProvider, useRouter } from './router';

interface Route {
  path: string;
  label: MessageKey;
  kinds: SessionKind[];
  page: () => ReactNode;
  /** Not in the navigation. */
  hidden?: boolean;
}

const ROUTES: Route[] = [
  { path: '/member', label: 'nav.home', kinds: ['member'], page: () => <MemberHomePage /> },
  { path: '/member/history', label: 'nav.history', kinds: ['member'], page: () => <MemberHistoryPage /> },
  { path: '/member/offers', label: 'nav.offers', kinds: ['member'], page: () => <MemberOffersPage /> },
  { path: '/member/redeem', label: 'nav.redeem', kinds: ['member'], page: () => <MemberRedeemPage /> },
  { path: '/member/give', label: 'nav.give', kinds: ['member'], page: () => <MemberGivePage /> },
  { path: '/member/profile', label: 'nav.profile', kinds: ['member'], page: () => <MemberProfilePage /> },
  { path: '/sign-up', label: 'nav.signUp', kinds: ['person', 'member'], page: () => <SignUpPage />, hidden: true },
  { path: '/partner', label: 'nav.partner', kinds: ['partner'], page: () => <PartnerOverviewPage /> },
  { path: '/partner/statement', label: 'nav.statement', kinds: ['partner'], page: () => <PartnerStatementPage /> },
  { path: '/partner/offers', label: 'nav.partnerOffers', kinds: ['partner'], page: () => <PartnerOffersPage /> },
  { path: '/partner/webhooks', label: 'nav.webhooks', kinds: ['partner'], page: () => <PartnerWebhooksPage /> },
  { path: '/charity', label: 'nav.charity', kinds: ['charity'], page: () => <CharityPage /> },
  { path: '/operator', label: 'nav.kpis', kinds: ['admin'], page: () => <OperatorKpisPage /> },
  { path: '/operator/directory', label: 'nav.directory', kinds: ['admin'], page: () => <OperatorDirectoryPage /> },
];

function LanguagePicker() {
  const { t, locale, setLocale } = useI18n();
  return (
    <div className="language">
      <label htmlFor="language">{t('app.language')}</label>
      <select id="language" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {Object.keys(LANGUAGES).map((l) => (
          <option key={l} value={l}>
            {l === 'nb' ? 'Norsk bokmål' : 'English'}
          </option>
        ))}
      </select>
    </div>
  );
}

function Shell() {
  const { session, signOut } = useAuth();
  const { t } = useI18n();
  const { path, navigate } = useRouter();
  let content: ReactNode;
  if (path === '/callback') content = <CallbackPage />;
  else if (!session) content = <SignInPage />;
  else {
    const route = ROUTES.find((r) => r.path === path);
    if (path === '/' || path === '/sign-in') content = <Redirect to={HOME[session.kind]} />;
    else if (!route) {
      content = (
        <Page title={t('notFound.title')}>
          <p>{t('notFound.body')}</p>
          <Link to={HOME[session.kind]}>{t('notFound.home')}</Link>
        </Page>
      );
    } else if (!route.kinds.includes(session.kind)) content = <Redirect to={HOME[session.kind]} />;
    else content = route.page();
  }
  const nav = session ? ROUTES.filter((r) => !r.hidden && r.kinds.includes(session.kind)) : [];
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          {t('app.name')}
        </div>
        <div className="top-actions">
          <LanguagePicker />
          {session ? (
            <>
              <span className="who">{t('app.signedInAs', { name: session.name })}</span>
              <button
                type="button"
                onClick={() => {
                  signOut();
                  navigate('/');
                }}
              >
                {t('app.signOut')}
              </button>
            </>
          ) : null}
        </div>
      </header>
      {nav.length > 0 ? (
        <nav aria-label={t('app.navigation')} className="nav">
          <ul>
            {nav.map((r) => (
              <li key={r.path}>
                <Link to={r.path}>{t(r.label)}</Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="main">{content}</main>
      <footer className="foot">{t('app.footer')}</footer>
    </>
  );
}

function Redirect({ to }: { to: string }) {
  const { navigate } = useRouter();
  useEffect(() => navigate(to, { replace: true }), [to, navigate]);
  return null;
}

export function App() {
  return (
    <I18nProvider>
      <RouterProvider>
        <AuthProvider>
          <Shell />
        </AuthProvider>
      </RouterProvider>
    </I18nProvider>
  );
}
