// zh-CN by default, English on the switch; the choice is kept in localStorage.
const LANGS = ['zh-CN', 'en'];
let lang = LANGS.includes(localStorage.getItem('zs.lang')) ? localStorage.getItem('zs.lang') : 'zh-CN';
let messages = {};

export async function loadLanguage(next = lang) {
  const answer = await fetch(`/static/i18n/${next}.json`);
  messages = await answer.json();
  lang = next;
  localStorage.setItem('zs.lang', lang);
  document.documentElement.lang = lang;
  document.title = t('app.title');
}

export const language = () => lang;
export const otherLanguage = () => (lang === 'zh-CN' ? 'en' : 'zh-CN');

export function t(key, fallback) {
  return key in messages ? messages[key] : (fallback !== undefined ? fallback : key);
}

export const stateName = s => (s ? t(`state.${s}`, s) : '—');

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const d = Math.floor(seconds / 86400), hh = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}${t('dur.d')}${hh ? ' ' + hh + t('dur.h') : ''}`;
  if (hh) return `${hh}${t('dur.h')}${m ? ' ' + m + t('dur.m') : ''}`;
  return `${m}${t('dur.m')}`;
}

export const when = iso => (iso ? String(iso).slice(0, 16).replace('T', ' ') : '—');

export function money(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!isFinite(n)) return String(v);
  return n.toLocaleString(lang, { maximumFractionDigits: 2 });
}
