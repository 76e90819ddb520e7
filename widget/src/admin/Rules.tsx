import { useEffect, useRef, useState } from 'preact/hooks';
import type { Agent } from '../api.js';
import type { Rule, Trigger } from '../automation-contract.js';
import type { Translate } from '../i18n.js';
import { Badge, Button, Empty, ErrorBox, Section, Spinner, Saved } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { stageName, useAutomationRefs } from './automation-inputs.js';
import { RuleDryRun } from './RuleDryRun.js';
import { RuleEditor } from './RuleEditor.js';
import { RuleHistory } from './RuleHistory.js';
import { splitMinutes } from './rule-form.js';

type View = { kind: 'list' } | { kind: 'edit'; rule: Rule | null } | { kind: 'inspect'; rule: Rule };

export function durationText(t: Translate, minutes: number): string {
  const d = splitMinutes(minutes);
  return `${d.amount} ${t(`automation_admin.units.${d.unit}`)}`;
}

export function triggerText(t: Translate, tr: Trigger): string {
  const name = t(`automation_admin.trigger.${tr.type}`);
  if (tr.type === 'no_client_reply_for' || tr.type === 'time_in_stage') return `${name}: ${durationText(t, tr.minutes)}`;
  if (tr.type === 'schedule') return `${name}: ${tr.cron}`;
  return name;
}

/** Rules of the account: a list with an enabled switch per rule, the builder, and per rule a dry run and its history. */
export function Rules(props: { agents: Agent[]; openId?: number }) {
  const { api, t } = useWidget();
  const [view, setView] = useState<View>({ kind: 'list' });
  const [saved, setSaved] = useState(false);
  const rules = useLoad(() => api.rules(), []);
  const refs = useAutomationRefs();
  const toggle = useAction();
  // Opened from a builder link: show that rule's editor once, when the list has it.
  const opened = useRef(false);
  useEffect(() => {
    const rule = rules.data?.items.find((r) => r.id === props.openId);
    if (opened.current || !rule) return;
    opened.current = true;
    setView({ kind: 'edit', rule });
  }, [rules.data, props.openId]);

  if ((rules.loading && !rules.data) || (refs.loading && !refs.data)) return <Spinner />;
  if (refs.error && !refs.data) return <ErrorBox error={refs.error} onRetry={refs.reload} />;
  const r = refs.data!;

  if (view.kind === 'edit')
    return (
      <RuleEditor
        rule={view.rule}
        refs={r}
        agents={props.agents}
        onDone={(ok) => {
          setView({ kind: 'list' });
          setSaved(ok !== undefined);
          rules.reload();
        }}
      />
    );
  if (view.kind === 'inspect')
    return (
      <div data-testid="kai-rule-inspect">
        <div class="kai-row">
          <Button
            kind="link"
            onClick={() => {
              // Back to fresh counts (and rules changed elsewhere meanwhile).
              setView({ kind: 'list' });
              rules.reload();
            }}
            testId="kai-rule-back"
          >
            {t('automation_admin.back')}
          </Button>
          <strong>{view.rule.name}</strong>
          <Badge>v{view.rule.version}</Badge>
        </div>
        <RuleDryRun rule={view.rule} refs={r} />
        <RuleHistory rule={view.rule} refs={r} />
      </div>
    );

  const setEnabled = async (rule: Rule) => {
    const saved = await toggle.run(() => api.updateRule(rule.id, { enabled: !rule.enabled }));
    if (saved && rules.data) rules.setData({ items: rules.data.items.map((x) => (x.id === saved.id ? { ...x, ...saved } : x)) });
  };

  return (
    <Section
      title={t('automation_admin.rules.title')}
      testId="kai-rules"
      actions={
        <>
          <Saved show={saved} />
          <Button kind="primary" onClick={() => setView({ kind: 'edit', rule: null })} testId="kai-rule-new">
            {t('automation_admin.rules.new')}
          </Button>
        </>
      }
    >
      <p class="kai-small kai-muted">{t('automation_admin.rules.hint')}</p>
      {rules.error ? <ErrorBox error={rules.error} onRetry={rules.reload} /> : null}
      {toggle.error ? <ErrorBox error={toggle.error} onRetry={toggle.retry} compact /> : null}
      {rules.data && rules.data.items.length === 0 ? <Empty>{t('automation_admin.rules.empty')}</Empty> : null}
      {rules.data?.items.length ? (
        <table class="kai-table">
          <thead>
            <tr>
              <th scope="col">{t('automation_admin.name')}</th>
              <th scope="col">{t('automation_admin.scope')}</th>
              <th scope="col">{t('automation_admin.trigger_label')}</th>
              <th scope="col">{t('automation_admin.enabled')}</th>
              <th scope="col">{t('automation_admin.version')}</th>
              <th scope="col">{t('automation_admin.fired')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rules.data.items.map((rule) => (
              <tr key={rule.id} data-testid="kai-rule-row">
                <td>
                  <strong>{rule.name}</strong>
                </td>
                <td>{rule.pipelineId ? stageName(r, rule.pipelineId, rule.statusId) : t('automation_admin.whole_account')}</td>
                <td>{triggerText(t, rule.definition.trigger)}</td>
                <td>
                  <input
                    type="checkbox"
                    checked={rule.enabled}
                    disabled={toggle.busy}
                    aria-label={t('automation_admin.enabled_for', { name: rule.name })}
                    data-testid="kai-rule-toggle"
                    onChange={() => setEnabled(rule)}
                  />
                </td>
                <td>v{rule.version}</td>
                <td>{rule.stats ? `${rule.stats.fired} / ${rule.stats.evaluated}` : ''}</td>
                <td class="kai-row">
                  <Button onClick={() => setView({ kind: 'edit', rule })} testId="kai-rule-edit">
                    {t('common.edit')}
                  </Button>
                  <Button onClick={() => setView({ kind: 'inspect', rule })} testId="kai-rule-open">
                    {t('automation_admin.rules.test_history')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
