import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type Messages } from './en';
import { nb } from './nb';

/** Every language the portal speaks; the copy of each lives in one file (en.ts, nb.ts). */
export const LANGUAGES = { en, nb } satisfies Record<string, Messages>;
export type Locale = keyof typeof LANGUAGES;
export type MessageKey = keyof Messages;

const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', nb: 'nb-NO' };
const STORAGE = 'coalition-hub.locale';

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE);
  if (saved && saved in LANGUAGES) return saved as Locale;
  const wanted = navigator.languages ?? [navigator.language];
  return wanted.some((l) => /^(nb|nn|no)\b/i.test(l)) ? 'nb' : 'en';
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  points(value: number | string): string;
  number(value: number | string, digits?: number): string;
  money(amount: string | number, currency: string): string;
  percent(ratio: number | string): string;
  date(iso: string): string;
  dateTime(iso: string): string;
  month(iso: string): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo<I18n>(() => {
    const messages = LANGUAGES[locale];
    const intl = INTL_LOCALE[locale];
    const integer = new Intl.NumberFormat(intl, { maximumFractionDigits: 0 });
    const dates = new Intl.DateTimeFormat(intl, { dateStyle: 'medium' });
    const times = new Intl.DateTimeFormat(intl, { dateStyle: 'medium', timeStyle: 'short' });
    const months = new Intl.DateTimeFormat(intl, { month: 'short', year: 'numeric', timeZone: 'UTC' });
    return {
      locale,
      setLocale(next) {
        localStorage.setItem(STORAGE, next);
        setLocaleState(next);
      },
      t: (key, values) => format(messages[key], values),
      points: (v) => integer.format(Number(v)),
      number: (v, digits = 2) => new Intl.NumberFormat(intl, { maximumFractionDigits: digits }).format(Number(v)),
      money: (amount, currency) => new Intl.NumberFormat(intl, { style: 'currency', currency }).format(Number(amount)),
      percent: (ratio) => new Intl.NumberFormat(intl, { style: 'percent', maximumFractionDigits: 1 }).format(Number(ratio)),
      date: (iso) => dates.format(new Date(iso)),
      dateTime: (iso) => times.format(new Date(iso)),
      month: (iso) => months.format(new Date(iso)),
    };
  }, [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
