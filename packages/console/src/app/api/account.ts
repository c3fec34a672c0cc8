import { restJson } from './console-client.ts';

export interface Region {
  RegionName: string;
  RegionOptStatus: 'ENABLED' | 'ENABLING' | 'DISABLING' | 'DISABLED' | 'ENABLED_BY_DEFAULT';
}

/** Account Management ListRegions: the regions the signed-in account may use (default and enabled opt-in ones). */
export async function listUsableRegions(): Promise<string[]> {
  const regions: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await restJson<{ Regions?: Region[]; NextToken?: string }>('account', 'POST', '/listRegions', {
      body: { RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], MaxResults: 50, ...(NextToken ? { NextToken } : {}) },
    });
    regions.push(...(page.Regions ?? []).map((r) => r.RegionName));
    NextToken = page.NextToken;
  } while (NextToken);
  return regions.sort();
}
