/**
 * The one template renderer: sales scripts (agents) and email templates (notifications, rules).
 * Syntax: {{ name.path }} — letters, digits, _ and dots; `lead.cf.<code or id>` for custom fields.
 * No logic, no helpers, nothing executable: a template is text with named holes.
 */
const VAR = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

/** Every variable name used in `text`, in order of first use. */
export function templateVariables(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(VAR)) seen.add(m[1]!);
  return [...seen];
}

/** Names in `text` that `isKnown` rejects (for refusing a template at save time). */
export function unknownVariables(text: string, isKnown: (name: string) => boolean): string[] {
  return templateVariables(text).filter((n) => !isKnown(n));
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Fill the holes. A missing value renders as `fallback` (empty by default). With `escape: 'html'`
 * values are HTML-escaped (the template text itself is trusted, the values are not).
 */
export function renderTemplate(
  text: string,
  values: Record<string, string | number | null | undefined>,
  opts: { escape?: 'html' | 'none'; fallback?: string } = {},
): string {
  return text.replace(VAR, (_m, name: string) => {
    const v = values[name];
    const s = v === null || v === undefined ? (opts.fallback ?? '') : String(v);
    return opts.escape === 'html' ? escapeHtml(s) : s;
  });
}
