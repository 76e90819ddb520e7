import { isLang, type Lang } from '../../lib/i18n.js';
/** Checks on the model's reply before anyone sees it. */

/** Cut a reply over `max` characters at the last sentence end before the limit (else the last word). */
export function trimReply(text: string, max: number): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const head = t.slice(0, max);
  const ends = [...head.matchAll(/[.!?…](?=\s|$)/g)];
  const last = ends[ends.length - 1];
  if (last && last.index !== undefined && last.index >= max * 0.3) return head.slice(0, last.index + 1).trim();
  const space = head.lastIndexOf(' ');
  return `${head.slice(0, space > max * 0.3 ? space : max - 1).trim()}…`;
}

const CUR = String.raw`(?:R\$|US\$|[$€£¥₽₹]|\b(?:USD|EUR|GBP|BRL|RUB|MXN|ARS|COP|CLP|PEN)\b)`;
const NUM = String.raw`\d(?:[\d.,']*\d)?`;
const WORDS = '(?:dollars?|euros?|reais|rubles?|pesos?|percent|por ?ciento|por ?cento)';
const AMOUNT = new RegExp(String.raw`${CUR}\s?(${NUM})|(${NUM})\s?(?:${CUR}|%|\b${WORDS}\b)`, 'giu');
const ANY_NUMBER = new RegExp(NUM, 'g');

/** "1,500.00" → 1500, "1.500" → 1500, "12,5" → 12.5 */
export function parseAmount(s: string): number {
  const t = s.replace(/'/g, '');
  const lastDot = t.lastIndexOf('.');
  const lastComma = t.lastIndexOf(',');
  let norm: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const dec = lastDot > lastComma ? '.' : ',';
    norm = t.replace(dec === '.' ? /,/g : /\./g, '').replace(dec, '.');
  } else {
    const sep = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : null;
    if (!sep) norm = t;
    else {
      const parts = t.split(sep);
      const thousands = parts.length > 2 || parts[parts.length - 1]!.length === 3;
      norm = thousands ? parts.join('') : parts.join('.');
    }
  }
  return Number(norm);
}

/**
 * Amounts (with a currency or a percent sign) the reply states that appear nowhere in the trusted
 * context (knowledge hits, lead data, script, instructions): the model must not invent prices or discounts.
 */
export function unsupportedAmounts(reply: string, trustedText: string): string[] {
  const known = new Set<number>();
  for (const m of trustedText.matchAll(ANY_NUMBER)) known.add(parseAmount(m[0]));
  const out: string[] = [];
  for (const m of reply.matchAll(AMOUNT)) {
    const n = parseAmount((m[1] ?? m[2])!);
    if (Number.isFinite(n) && !known.has(n)) out.push(m[0].trim());
  }
  return out;
}

/** What the client gets instead of a reply that named a price we cannot back, in the client's language. */
export const SAFE_PRICE_REPLIES: Record<Lang, string> = {
  en: 'Thank you! A colleague will confirm the exact price and conditions for you shortly.',
  es: '¡Gracias! Un colega le confirmará en breve el precio exacto y las condiciones.',
  pt: 'Obrigado! Um colega vai confirmar em breve o preço exato e as condições.',
  ru: 'Спасибо! Коллега скоро уточнит для вас точную цену и условия.',
};
export const SAFE_PRICE_REPLY = SAFE_PRICE_REPLIES.en;

/** The rule that replaced a reply (shown with the original in the card and the playground). */
export const PRICE_GUARDRAIL = 'price_not_in_knowledge';

/**
 * The client's language for a text we write to them: the agent's own language when it names one of ours,
 * else a guess from what the client wrote (Cyrillic → ru; a few unmistakable words for es and pt), else en.
 * Linear in the text, and only its first 2,000 characters are looked at.
 */
export function clientLang(agentLanguage: string, clientText: string): Lang {
  if (isLang(agentLanguage)) return agentLanguage;
  const t = clientText.slice(0, 2000).toLowerCase();
  if (/[а-яё]/.test(t)) return 'ru';
  if (/(ção|ções|\bolá\b|\bobrigad|\bvocê\b|\bpreço\b|\bnão\b)/.test(t)) return 'pt';
  if (/(¿|¡|\bhola\b|\bgracias\b|\bprecio\b|\busted\b|\bquiero\b|ñ)/.test(t)) return 'es';
  return 'en';
}
