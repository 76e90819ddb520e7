import { advancedSettingsUrl } from '../areas/settings.js';

/** Where a rule or sequence is scoped: null pipeline is account-wide, null status the whole pipeline. */
export interface Scoped {
  pipelineId: number | null;
  statusId: number | null;
}

/** Does an item scoped like this apply to a lead in `stage`? Without a known stage only account-wide items do. */
export function appliesTo(item: Scoped, stage: { pipelineId: number; statusId: number } | null | undefined): boolean {
  if (item.pipelineId === null) return item.statusId === null || item.statusId === stage?.statusId;
  if (!stage || item.pipelineId !== stage.pipelineId) return false;
  return item.statusId === null || item.statusId === stage.statusId;
}

/** Stage-specific first, then pipeline-wide, then account-wide; by name within each. */
export function byScope<T extends Scoped & { name: string }>(items: T[]): T[] {
  const rank = (i: Scoped) => (i.statusId !== null ? 0 : i.pipelineId !== null ? 1 : 2);
  return [...items].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/**
 * The admin app's builder for one rule or sequence: the advanced settings page opens the tab named by
 * `kai_tab`, and the hash names the item (`#kai-rule-12`, `#kai-sequence-3`).
 */
export function builderUrl(widgetCode: string, kind: 'rule' | 'sequence', id: number): string {
  return `${advancedSettingsUrl(widgetCode)}?kai_tab=${kind === 'rule' ? 'rules' : 'sequences'}#kai-${kind}-${id}`;
}

/** The item a builder link names (`#kai-rule-12` → rule 12), for the admin app to open it; null for anything else. */
export function builderTarget(hash: string): { kind: 'rule' | 'sequence'; id: number } | null {
  const m = /^#?kai-(rule|sequence)-(\d+)$/.exec(hash);
  return m ? { kind: m[1] as 'rule' | 'sequence', id: Number(m[2]) } : null;
}
