import { ApiError, send } from './console-client.ts';

/**
 * The AWS Query protocol (IAM, STS): form-encoded parameters in, XML out. Responses are read with the
 * browser's own XML parser, so no XML library is bundled.
 */
export async function queryCall(service: 'iam' | 'sts', version: string, action: string, params: Record<string, string | undefined> = {}): Promise<Element> {
  const form = new URLSearchParams({ Action: action, Version: version });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, v);
  const response = await send({
    service, method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form.toString(),
    // IAM is global: it is signed for us-east-1 whatever region is picked.
    ...(service === 'iam' ? { region: 'us-east-1' } : {}),
  });
  const doc = new DOMParser().parseFromString(await response.text(), 'application/xml');
  if (!response.ok) {
    throw new ApiError(text(doc.documentElement, 'Code') ?? 'Error', text(doc.documentElement, 'Message') ?? `${service} answered ${response.status}`, response.status);
  }
  return doc.documentElement;
}

/** Text of the first descendant element with this name. */
export function text(root: Element, name: string): string | undefined {
  return root.getElementsByTagName(name)[0]?.textContent ?? undefined;
}
