/**
 * Put `token` at the textarea's cursor (replacing a selection) and, on the next frame, put the cursor back
 * after it, unless the person has already moved on to another field: a late frame must not pull the focus
 * (and what they type next) back out of it. Returns the new text; the caller stores it.
 */
export function insertToken(el: HTMLTextAreaElement | null, value: string, token: string): string {
  const start = el ? el.selectionStart : value.length;
  const end = el ? el.selectionEnd : value.length;
  requestAnimationFrame(() => {
    if (!el) return;
    const active = el.ownerDocument.activeElement;
    if (active && active !== el && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return;
    el.focus();
    el.setSelectionRange(start + token.length, start + token.length);
  });
  return value.slice(0, start) + token + value.slice(end);
}
