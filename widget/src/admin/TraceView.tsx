import type { TraceNode } from '../automation-contract.js';
import { useWidget } from '../ui/context.js';
import { type AutomationRefs, stageName } from './automation-inputs.js';

export const fieldName = (refs: AutomationRefs) => (id: number) => refs.fields.find((f) => f.id === id)?.name ?? `#${id}`;

/** A compared value as text: stages by name, lists joined, nothing as a dash. */
export function valueText(v: unknown, refs: AutomationRefs): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.length ? v.map((x) => valueText(x, refs)).join(', ') : '[]';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('pipelineId' in o && typeof o.pipelineId === 'number') {
      const pipelineId = o.pipelineId;
      const ids = Array.isArray(o.statusIds) ? o.statusIds : typeof o.statusId === 'number' ? [o.statusId] : [];
      return ids.length ? ids.map((s) => stageName(refs, pipelineId, s as number)).join(', ') : stageName(refs, pipelineId);
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** Each check of a verdict with what it compared: the lead's value and the rule's. */
export function TraceView(props: { node: TraceNode; refs: AutomationRefs }) {
  const { t } = useWidget();
  const n = props.node;
  return (
    <li class={`kai-trace__item kai-trace__item--${n.ok ? 'ok' : 'no'}`} data-testid="kai-trace-node" data-ok={String(n.ok)}>
      <span class={n.ok ? 'kai-ok' : 'kai-bad'} role="img" aria-label={t(n.ok ? 'automation_admin.matched' : 'automation_admin.not_matched')}>
        {n.ok ? '✓' : '✗'}
      </span>{' '}
      <span>{n.check}</span>
      {'actual' in n ? (
        <span class="kai-small kai-muted">
          {' '}
          · {t('automation_admin.actual')}: <code>{valueText(n.actual, props.refs)}</code>
        </span>
      ) : null}
      {'expected' in n ? (
        <span class="kai-small kai-muted">
          {' '}
          · {t('automation_admin.expected')}: <code>{valueText(n.expected, props.refs)}</code>
        </span>
      ) : null}
      {n.children?.length ? (
        <ul class="kai-trace">
          {n.children.map((c, i) => (
            <TraceView key={i} node={c} refs={props.refs} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
