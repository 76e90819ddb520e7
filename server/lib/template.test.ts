import { describe, expect, it } from 'vitest';
import { renderTemplate, templateVariables, unknownVariables } from './template.js';

describe('template renderer', () => {
  it('lists variables, renders values and escapes for HTML', () => {
    const t = 'Hi {{contact.first_name}}, {{ lead.cf.BUDGET }} for {{lead.name}}; again {{contact.first_name}}';
    expect(templateVariables(t)).toEqual(['contact.first_name', 'lead.cf.BUDGET', 'lead.name']);
    expect(renderTemplate(t, { 'contact.first_name': 'Ann', 'lead.cf.BUDGET': 5000, 'lead.name': 'Deal' })).toBe('Hi Ann, 5000 for Deal; again Ann');
    expect(renderTemplate('{{x}}', { x: '<b>&"' }, { escape: 'html' })).toBe('&lt;b&gt;&amp;&quot;');
    expect(renderTemplate('[{{missing}}]', {}, { fallback: '?' })).toBe('[?]');
    expect(unknownVariables('{{lead.name}} {{lead.nope}}', (n) => n === 'lead.name')).toEqual(['lead.nope']);
  });
});
