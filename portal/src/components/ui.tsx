import { type CombinedError } from 'urql';
import { useEffect, useState, type ReactNode } from 'react';
import { useI18n, type I18n, type MessageKey } from '../i18n';
import { UntrustedDocumentError } from '../api/client';
import { HubUnavailableError } from '../auth/config';

const KNOWN_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'MEMBER_CLOSED',
  'INSUFFICIENT_POINTS',
  'CHARITY_INACTIVE',
  'OPEN_HOLDS',
  'ALREADY_MEMBER',
  'CARD_BLOCKED',
  'PARTNER_SUSPENDED',
  'INTERNAL',
] as const;

/** What went wrong, in words: never the API's JSON. */
export function messageFor(error: CombinedError | Error | null | undefined, i18n: I18n): string {
  if (!error) return '';
  const { t } = i18n;
  if (error instanceof UntrustedDocumentError) return t('error.untrusted');
  const combined = error as Partial<CombinedError>;
  const first = combined.graphQLErrors?.[0];
  if (first) {
    const code = String(first.extensions?.code ?? '');
    const field = typeof first.extensions?.field === 'string' ? first.extensions.field : undefined;
    if ((KNOWN_CODES as readonly string[]).includes(code)) {
      const base = t(`error.${code}` as MessageKey);
      // The hub's own messages name the field and the rule in words ("points: must be at least 1").
      return code === 'BAD_USER_INPUT' || code === 'INSUFFICIENT_POINTS' ? `${base} ${first.message}${field && !first.message.includes(field) ? ` (${field})` : ''}` : base;
    }
    return first.message ? `${t('error.generic')} ${first.message}` : t('error.generic');
  }
  // fetch's own failure (no connection, the hub down) and the portal's configuration not loading.
  if (error instanceof TypeError || error instanceof HubUnavailableError) return t('error.network');
  if (combined.networkError) {
    if (combined.networkError instanceof UntrustedDocumentError) return t('error.untrusted');
    return t('error.network');
  }
  return error.message || t('error.generic');
}

export function ErrorNotice({ error }: { error: CombinedError | Error | null | undefined }) {
  const i18n = useI18n();
  if (!error) return null;
  return (
    <p className="notice notice-error" role="alert">
      {messageFor(error, i18n)}
    </p>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label ?? t('common.loading')}
    </p>
  );
}

export function Success({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-success" role="status">
      {children}
    </p>
  );
}

/** A page: its heading takes the focus on arrival (see router.tsx) and names the document. */
export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>{title}</h1>
        {actions}
      </div>
      {children}
    </>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-heading`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** The time now, refreshed every `intervalMs` (count-downs). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** A fresh idempotency key for one attempt of a write (a retry of the same attempt reuses it). */
export const newKey = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;

/** Last `months` whole months up to now, as ISO instants for the report queries. */
export function recentPeriod(months: number): { from: string; to: string } {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  const to = new Date(now.getTime() + 60_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** The current calendar month, as the settlement statement covers it. */
export function currentMonth(): { from: string; to: string; month: string } {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { from: from.toISOString(), to: to.toISOString(), month: from.toISOString().slice(0, 7) };
}
