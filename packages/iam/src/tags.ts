import { GantryError } from '@gantry/core';
import type { Tags } from './principal.ts';

export interface TagInput { Key?: string; Value?: string }

/** Validates IAM tags (at most 50, keys 1–128 and values 0–256 characters) into a map. */
export function toTags(list: TagInput[] | undefined, limit = 50): Tags {
  const tags: Tags = {};
  for (const tag of list ?? []) {
    if (!tag.Key || tag.Key.length > 128) throw new GantryError('InvalidInput', `Tag key '${tag.Key ?? ''}' must be 1 to 128 characters.`);
    if ((tag.Value ?? '').length > 256) throw new GantryError('InvalidInput', `The value of tag '${tag.Key}' must be at most 256 characters.`);
    tags[tag.Key] = tag.Value ?? '';
  }
  if (Object.keys(tags).length > limit) throw new GantryError('LimitExceeded', `Cannot exceed quota for TagsPerEntity: ${limit}.`);
  return tags;
}

export const tagList = (tags: Tags): Array<{ Key: string; Value: string }> =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
