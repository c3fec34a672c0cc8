import { GantryError } from '@gantry/core';

/**
 * Decodes AWS Query parameters (`Tags.member.1.Key=a&Tags.member.1.Value=b`) into nested values
 * (`{ Tags: [{ Key: 'a', Value: 'b' }] }`): dotted names become objects, `member.N` lists become arrays.
 */
export function decodeQueryParams(form: URLSearchParams): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [name, value] of form) {
    const path = name.split('.');
    if (path.some((segment) => segment === '' || segment === '__proto__' || segment === 'constructor' || segment === 'prototype'))
      throw new GantryError('MalformedQueryString', `Parameter name '${name}' is not valid.`);
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key];
    }
    node[path[path.length - 1]!] = value;
  }
  return listify(root);
}

function listify(node: any): any {
  if (typeof node !== 'object' || node === null) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member' && typeof node.member === 'object') {
    const members = node.member as Record<string, any>;
    return Object.keys(members)
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => listify(members[k]));
  }
  for (const key of keys) node[key] = listify(node[key]);
  return node;
}
