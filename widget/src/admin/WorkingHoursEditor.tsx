import { WEEKDAYS, type Weekday, type WorkingHours } from '../api.js';
import { Button, Field, Section } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { defaultWorkingHours } from './agent-form.js';

/** `null` means "answer around the clock"; otherwise one or more intervals per weekday in a timezone. */
export function WorkingHoursEditor(props: {
  value: WorkingHours | null;
  onChange: (next: WorkingHours | null) => void;
  errorFor: (key: string) => string | undefined;
}) {
  const { t } = useWidget();
  const wh = props.value;
  const setDay = (day: Weekday, intervals: [string, string][]) => {
    if (!wh) return;
    props.onChange({ ...wh, schedule: { ...wh.schedule, [day]: intervals } });
  };
  return (
    <Section title={t('agents.hours_title')}>
      <label class="kai-check">
        <input
          type="checkbox"
          checked={wh === null}
          onChange={() => props.onChange(wh === null ? defaultWorkingHours() : null)}
          data-testid="kai-hours-always"
        />
        <span>{t('agents.hours_always')}</span>
      </label>
      {wh ? (
        <>
          <Field label={t('agents.fields.timezone')} hint={t('agents.timezone_hint')} error={props.errorFor('workingHours.timezone')}>
            <input class="kai-input" value={wh.timezone} onInput={(e) => props.onChange({ ...wh, timezone: (e.target as HTMLInputElement).value })} />
          </Field>
          <table class="kai-table kai-table--compact">
            <tbody>
              {WEEKDAYS.map((day) => {
                const intervals = wh.schedule[day];
                const error = props.errorFor(`workingHours.schedule.${day}`);
                return (
                  <tr key={day}>
                    <th scope="row">{t(`weekday.${day}`)}</th>
                    <td>
                      {intervals.length === 0 ? <span class="kai-muted kai-small">{t('agents.day_off')}</span> : null}
                      {intervals.map(([from, to], i) => (
                        <span key={i} class="kai-interval">
                          <input
                            class="kai-input kai-input--time"
                            type="time"
                            value={from}
                            aria-label={t('agents.from')}
                            onInput={(e) =>
                              setDay(
                                day,
                                intervals.map((iv, j) => (j === i ? [(e.target as HTMLInputElement).value, iv[1]] : iv)),
                              )
                            }
                          />
                          –
                          <input
                            class="kai-input kai-input--time"
                            type="time"
                            value={to}
                            aria-label={t('agents.to')}
                            onInput={(e) =>
                              setDay(
                                day,
                                intervals.map((iv, j) => (j === i ? [iv[0], (e.target as HTMLInputElement).value] : iv)),
                              )
                            }
                          />
                          <Button
                            kind="link"
                            onClick={() =>
                              setDay(
                                day,
                                intervals.filter((_, j) => j !== i),
                              )
                            }
                            title={t('common.remove')}
                          >
                            ×
                          </Button>
                        </span>
                      ))}
                      <Button kind="link" onClick={() => setDay(day, [...intervals, ['09:00', '18:00']])}>
                        {t('agents.add_interval')}
                      </Button>
                      {error ? <div class="kai-field__error">{error}</div> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </Section>
  );
}
