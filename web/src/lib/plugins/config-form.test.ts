import { describe, expect, it } from 'vitest';
import { buildConfig, configFields, fieldForError, initialValues } from './config-form.ts';

// The shape /api/plugins sends for a CI plugin (abridged): nested objects, enums, lists, rules.
const schema = {
  type: 'object',
  required: ['routing', 'lifecycle', 'defaultSeverity'],
  properties: {
    routing: {
      type: 'object',
      properties: {
        rules: { type: 'array', items: { type: 'object', properties: { stream: { enum: ['a', 'b'] } } } },
        fallback: {
          type: 'object',
          required: ['stream'],
          properties: {
            stream: { enum: ['development', 'maintenance'], description: 'development | maintenance' },
          },
        },
      },
    },
    lifecycle: {
      type: 'object',
      properties: {
        onRecovery: { enum: ['resolve', 'review', 'annotate'] },
        reviewColumn: { type: 'string', description: 'the review column' },
      },
    },
    branches: { type: 'array', items: { type: 'string' } },
    failOn: { type: 'array', items: { enum: ['failure', 'timed_out'] } },
    defaultSeverity: { enum: ['high', 'medium'] },
    threshold: { type: 'integer' },
  },
};
const defaults = {
  routing: { rules: [{ stream: 'a' }], fallback: { stream: 'development' } },
  lifecycle: { onRecovery: 'resolve' },
  branches: ['main'],
  failOn: ['failure'],
  defaultSeverity: 'medium',
};

describe('a plugin config form', () => {
  const fields = configFields(schema);

  it('shows enums as choices, string lists as text, richer values as JSON, in sections', () => {
    expect(fields.map((f) => [f.path, f.kind, f.group])).toEqual([
      ['routing.rules', 'json', 'Routing'],
      ['routing.fallback.stream', 'choice', 'Routing · Fallback'],
      ['lifecycle.onRecovery', 'choice', 'Lifecycle'],
      ['lifecycle.reviewColumn', 'text', 'Lifecycle'],
      ['branches', 'list', ''],
      ['failOn', 'multi', ''],
      ['defaultSeverity', 'choice', ''],
      ['threshold', 'number', ''],
    ]);
    expect(fields.find((f) => f.path === 'routing.fallback.stream')?.help).toBe('');
    expect(fields.find((f) => f.path === 'lifecycle.reviewColumn')?.help).toBe('the review column');
  });

  it('starts from the defaults and gives them back unchanged', () => {
    const { config, errors } = buildConfig(fields, initialValues(fields, defaults));
    expect(errors).toEqual({});
    expect(config).toEqual(defaults);
  });

  it('reads lists and numbers, and refuses JSON it cannot parse on that field', () => {
    const values = initialValues(fields, defaults);
    values.branches = 'main, release/* ,';
    values.threshold = '3';
    values['routing.rules'] = '[{ "stream": ';
    const { config, errors } = buildConfig(fields, values);
    expect(config.branches).toEqual(['main', 'release/*']);
    expect(config.threshold).toBe(3);
    expect(Object.keys(errors)).toEqual(['routing.rules']);
  });

  it('puts a server error next to the field it names, or the JSON field it lies in', () => {
    expect(fieldForError(fields, 'config.lifecycle.onRecovery')).toBe('lifecycle.onRecovery');
    expect(fieldForError(fields, 'config.routing.rules.0.stream')).toBe('routing.rules');
    expect(fieldForError(fields, 'config.routing.fallback')).toBe('routing.fallback.stream');
    expect(fieldForError(fields, 'config.colour')).toBeNull();
    expect(fieldForError(fields, 'pluginId')).toBeNull();
  });
});
