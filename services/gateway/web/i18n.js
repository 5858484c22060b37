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

// A time as the county reads it, in the time it was written in (Asia/Shanghai on the wire): 2026年12月7日 05:24, or
// 7 Dec 2026 05:24 in English; a date alone (2026-12-07) as 2026年12月7日.  Never the browser's own time zone.
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function when(iso) {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(String(iso));
  if (!m) return String(iso);
  const [, y, mo, d, hh, mm] = m;
  const day = lang === 'zh-CN' ? `${y}年${Number(mo)}月${Number(d)}日` : `${Number(d)} ${MONTHS_EN[Number(mo) - 1]} ${y}`;
  return hh === undefined ? day : `${day} ${hh}:${mm}`;
}

export function money(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!isFinite(n)) return String(v);
  return n.toLocaleString(lang, { maximumFractionDigits: 2 });
}
