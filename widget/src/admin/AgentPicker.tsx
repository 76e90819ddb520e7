import type { Agent } from '../api.js';
import { Empty } from '../ui/components.js';
import { useWidget } from '../ui/context.js';

/** A select of agents; `allowAll` adds an "all agents" choice (value null). */
export function AgentPicker(props: { agents: Agent[]; value: number | null; onChange: (agentId: number | null) => void; allowAll?: boolean; label?: string }) {
  const { t } = useWidget();
  if (!props.agents.length && !props.allowAll) return <Empty>{t('agents.empty')}</Empty>;
  return (
    <label class="kai-field kai-field--inline">
      <span class="kai-field__label">{props.label ?? t('common.agent')}</span>
      <select
        class="kai-input"
        value={props.value === null ? '' : String(props.value)}
        data-testid="kai-agent-picker"
        onChange={(e) => {
          const raw = (e.target as HTMLSelectElement).value;
          props.onChange(raw === '' ? null : Number(raw));
        }}
      >
        {props.allowAll ? <option value="">{t('common.all_agents')}</option> : null}
        {props.agents.map((a) => (
          <option key={a.id} value={String(a.id)}>
            {a.name}
          </option>
        ))}
      </select>
    </label>
  );
}
