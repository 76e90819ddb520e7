import type { ActivityParams } from '../activity/activity.repo.js';

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * What the widget words an action from ("Add tags: {tags}") in the viewer's language: the action's type
 * and its arguments as flat text. `summary` (the English one) stays for types the widget has no text for.
 */
export function actionParams(type: string, args: Record<string, unknown>, summary: string): ActivityParams {
  const base = { action: type, summary };
  switch (type) {
    case 'move_to_stage':
      return { ...base, stage: str(args.stageName) || str(args.statusId) };
    case 'update_field': {
      const values = Array.isArray(args.values) ? args.values.map((v) => str((v as { value?: unknown }).value)).join(', ') : str(args.value);
      return { ...base, field: str(args.fieldName) || str(args.fieldId), values: clip(values) };
    }
    case 'assign_user':
      return { ...base, user: str(args.userName) || str(args.userId) };
    case 'create_task':
    case 'add_note':
      return { ...base, text: clip(str(args.text)) };
    case 'schedule_followup':
      return { ...base, text: clip(str(args.text)), hours: str(args.inHours) };
    case 'add_tags':
    case 'remove_tags':
      return { ...base, tags: clip(Array.isArray(args.tags) ? args.tags.map(str).join(', ') : '') };
    case 'handoff_to_human':
      return { ...base, reason: clip(str(args.reason)) };
    default:
      return base;
  }
}
