import css from './styles.css';

/** Inject our stylesheet once per page. Every selector in it is scoped under a `.kai-` class. */
export function injectStyles(doc: Document = document) {
  if (doc.querySelector('style[data-kai]')) return;
  const style = doc.createElement('style');
  style.setAttribute('data-kai', '');
  style.textContent = css;
  doc.head.appendChild(style);
}
