import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const OUTPUTS_FORMATS = ['json', 'ts', 'mjs'] as const;
export type OutputsFormat = (typeof OUTPUTS_FORMATS)[number];
export const OUTPUTS_VERSIONS = ['1', '1.1', '1.2', '1.3', '1.4'] as const;
/** The version `@aws-amplify/backend-cli` 1.3 (the templates' lock) writes. */
export const DEFAULT_OUTPUTS_VERSION = '1.3';

/** Writes `amplify_outputs.<ext>` into `outDir` in the format asked, as the Amplify CLI does. */
export function writeOutputs(outputs: Record<string, unknown>, outDir: string, format: OutputsFormat): string {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(outputs, null, 2);
  const file = join(dir, `amplify_outputs.${format}`);
  const text =
    format === 'json' ? `${json}\n`
    : format === 'ts' ? `const amplifyOutputs = ${json} as const;\nexport default amplifyOutputs;\n`
    : `const amplifyOutputs = ${json};\nexport default amplifyOutputs;\n`;
  writeFileSync(file, text);
  return file;
}
