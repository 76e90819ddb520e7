import { z } from 'zod';
import type { ZodType, ZodTypeDef } from 'zod';

/** A zod schema for a response body: any input, a typed output. */
export type Schema<T> = ZodType<T, ZodTypeDef, unknown>;

/**
 * Response shapes of Kommo API v4, as the official PHP SDK (amocrm/amocrm-api-php) reads them.
 * Only the fields our code relies on are required; every object is `.passthrough()` so new or
 * rarely-sent fields never break a sync. Nullable where Kommo is known to send null.
 */

const id = z.number().int();
const ts = z.number(); // unix seconds

export const tagSchema = z.object({ id, name: z.string() }).passthrough();

export const customFieldValueSchema = z
  .object({
    field_id: id,
    field_name: z.string().nullish(),
    field_code: z.string().nullish(),
    field_type: z.string().nullish(),
    values: z.array(
      z
        .object({
          value: z.unknown(),
          enum_id: z.number().nullish(),
          enum_code: z.string().nullish(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

const linkedId = z.object({ id }).passthrough();

export const taskTypeSchema = z.object({ id, name: z.string() }).passthrough();

export const accountSchema = z
  .object({
    id,
    name: z.string(),
    subdomain: z.string(),
    current_user_id: id,
    country: z.string().nullish(),
    currency: z.string().nullish(),
    _embedded: z
      .object({ task_types: z.array(taskTypeSchema).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const userSchema = z
  .object({
    id,
    name: z.string(),
    email: z.string().nullish(),
    lang: z.string().nullish(),
  })
  .passthrough();

export const statusSchema = z
  .object({
    id,
    name: z.string(),
    sort: z.number(),
    pipeline_id: id,
    is_editable: z.boolean().optional(),
    color: z.string().nullish(),
    type: z.number().optional(),
  })
  .passthrough();

export const pipelineSchema = z
  .object({
    id,
    name: z.string(),
    sort: z.number(),
    is_main: z.boolean().optional(),
    is_archive: z.boolean().optional(),
    _embedded: z.object({ statuses: z.array(statusSchema) }).passthrough(),
  })
  .passthrough();

export const customFieldSchema = z
  .object({
    id,
    name: z.string(),
    code: z.string().nullish(),
    type: z.string(),
    sort: z.number().optional(),
    enums: z.array(z.object({ id, value: z.string(), sort: z.number().optional() }).passthrough()).nullish(),
  })
  .passthrough();

export const leadSchema = z
  .object({
    id,
    name: z.string(),
    price: z.number().nullish(),
    responsible_user_id: id,
    status_id: id,
    pipeline_id: id,
    loss_reason_id: z.number().nullish(),
    created_at: ts,
    updated_at: ts,
    closed_at: ts.nullish(),
    is_deleted: z.boolean().optional(),
    custom_fields_values: z.array(customFieldValueSchema).nullish(),
    _embedded: z
      .object({
        tags: z.array(tagSchema).optional(),
        contacts: z.array(z.object({ id, is_main: z.boolean().optional() }).passthrough()).optional(),
        companies: z.array(linkedId).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const contactSchema = z
  .object({
    id,
    name: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    responsible_user_id: id,
    created_at: ts,
    updated_at: ts,
    custom_fields_values: z.array(customFieldValueSchema).nullish(),
    _embedded: z
      .object({
        tags: z.array(tagSchema).optional(),
        leads: z.array(linkedId).optional(),
        companies: z.array(linkedId).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const companySchema = z
  .object({
    id,
    name: z.string().nullish(),
    responsible_user_id: id,
    created_at: ts,
    updated_at: ts,
    custom_fields_values: z.array(customFieldValueSchema).nullish(),
    _embedded: z
      .object({
        tags: z.array(tagSchema).optional(),
        leads: z.array(linkedId).optional(),
        contacts: z.array(linkedId).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const taskSchema = z
  .object({
    id,
    text: z.string(),
    task_type_id: z.number(),
    responsible_user_id: id,
    entity_id: z.number().nullish(),
    entity_type: z.string().nullish(),
    is_completed: z.boolean(),
    complete_till: ts,
    created_at: ts,
    updated_at: ts,
  })
  .passthrough();

export const noteSchema = z
  .object({
    id,
    entity_id: id,
    note_type: z.string(),
    params: z.unknown(),
    created_by: z.number().optional(),
    created_at: ts,
    updated_at: ts,
  })
  .passthrough();

export const eventSchema = z
  .object({
    id: z.union([z.string(), z.number()]), // v4 event ids are strings like "01ex…"
    type: z.string(),
    entity_id: id,
    entity_type: z.string(),
    created_by: z.number(),
    created_at: ts,
    value_after: z.unknown(),
    value_before: z.unknown(),
  })
  .passthrough();

export const webhookSchema = z
  .object({
    id: z.number().optional(),
    destination: z.string(),
    settings: z.array(z.string()),
    disabled: z.boolean().optional(),
    created_at: ts.optional(),
  })
  .passthrough();

/** `PATCH /leads/{id}`, `PATCH /tasks/{id}` answer with the id and the new `updated_at`. */
export const updatedSchema = z.object({ id, updated_at: ts.optional() }).passthrough();

/** One row of a batch write answer; `request_id` echoes the position Kommo saw ("0", "1", …). */
export const writtenSchema = z.object({ id, request_id: z.union([z.string(), z.number()]).optional() }).passthrough();

export const callResultSchema = z
  .object({
    id,
    entity_id: z.number().nullish(),
    entity_type: z.string().nullish(),
    request_id: z.union([z.string(), z.number()]).optional(),
  })
  .passthrough();

export interface ListPage<T> {
  items: T[];
  /** `_links.next.href`: absolute, and only followed when it is on the account host. */
  next?: string;
}

/** `{_embedded: {[key]: T[]}, _links?: {next?: {href}}}`, the envelope of every list. */
export function listPageSchema<T>(key: string, item: Schema<T>): Schema<ListPage<T>> {
  return z
    .object({
      _embedded: z.object({ [key]: z.array(item) }).passthrough(),
      _links: z
        .object({ next: z.object({ href: z.string() }).passthrough().nullish() })
        .passthrough()
        .nullish(),
    })
    .passthrough()
    .transform((p) => ({ items: (p._embedded[key] ?? []) as T[], next: p._links?.next?.href }));
}

export interface BatchResult<T> {
  rows: T[];
  /** Rows Kommo refused inside a 200 (the calls endpoint reports unmatched phones here). */
  errors: unknown[];
}

/** `{_embedded: {[key]: T[], errors?: []}}`, the answer of a batch write. */
export function batchResultSchema<T>(key: string, item: Schema<T>): Schema<BatchResult<T>> {
  return z
    .object({
      _embedded: z.object({ [key]: z.array(item), errors: z.array(z.unknown()).optional() }).passthrough(),
    })
    .passthrough()
    .transform((p) => ({ rows: (p._embedded[key] ?? []) as T[], errors: (p._embedded.errors ?? []) as unknown[] }));
}

export type KommoAccount = z.infer<typeof accountSchema>;
export type KommoUser = z.infer<typeof userSchema>;
export type KommoPipeline = z.infer<typeof pipelineSchema>;
export type KommoCustomField = z.infer<typeof customFieldSchema>;
export type KommoLead = z.infer<typeof leadSchema>;
export type KommoContact = z.infer<typeof contactSchema>;
export type KommoCompany = z.infer<typeof companySchema>;
export type KommoTask = z.infer<typeof taskSchema>;
export type KommoNote = z.infer<typeof noteSchema>;
export type KommoEvent = z.infer<typeof eventSchema>;
export type KommoWebhook = z.infer<typeof webhookSchema>;
export type KommoUpdated = z.infer<typeof updatedSchema>;
export type KommoCallResult = z.infer<typeof callResultSchema>;
