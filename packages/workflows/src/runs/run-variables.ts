/**
 * `${...}` references in input variable values and step commands, resolved as the CodeCatalyst runner does:
 * `${WorkflowSource.CommitId}`, `${WorkflowSource.BranchName}`, `${Action.Var}` (or `${Group.Action.Var}`) and
 * `${Secrets.name}`. A secret is handed to the session as `CATALYST_SECRETS_<name>`: a step command gets a
 * shell reference to it (`${CATALYST_SECRETS_<name>}`) so its value never appears in the command text, and the
 * value is masked in every log line.
 */

/** The runner's pattern: a dotted path, then the variable name. */
const REFERENCE = /\$\{([a-zA-Z0-9.\-_]+)\.([a-zA-Z0-9\-_]+)\}/g;

export interface VariableContext {
  commitId: string;
  branchName: string;
  /** Output variables of the actions that succeeded, by action name. */
  outputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Looks up a workflow secret's value; `undefined` when there is none of that name. */
  secret(name: string): string | undefined;
}

export interface ResolvedText {
  text: string;
  /** Secrets the text referenced: env name (`CATALYST_SECRETS_x`) → value. */
  secrets: Record<string, string>;
}

/**
 * Replaces every reference in `text`. `mode: 'value'` (environment values) puts secret values in place;
 * `mode: 'command'` (shell text) puts `${CATALYST_SECRETS_<name>}` in place.
 * @throws Error naming the reference when it cannot be resolved
 */
export function resolveReferences(text: string, context: VariableContext, mode: 'value' | 'command'): ResolvedText {
  const secrets: Record<string, string> = {};
  const resolved = text.replace(REFERENCE, (_match, path: string, name: string) => {
    if (path === 'WorkflowSource') {
      if (name === 'CommitId') return context.commitId;
      if (name === 'BranchName') return context.branchName;
      throw new Error(`\${WorkflowSource.${name}} is not a variable of the workflow source: use CommitId or BranchName`);
    }
    if (path === 'Secrets') {
      const value = context.secret(name);
      if (value === undefined) throw new Error(`\${Secrets.${name}} names no secret: create a secret called "${name}" in the project`);
      const envName = `CATALYST_SECRETS_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      secrets[envName] = value;
      return mode === 'command' ? `\${${envName}}` : value;
    }
    // `${Group.Action.Var}`: the action is the last part of the path.
    const action = path.split('.').at(-1)!;
    const outputs = context.outputs[action];
    if (!outputs) throw new Error(`\${${path}.${name}} refers to action "${action}", which has not succeeded in this run`);
    const value = outputs[name];
    if (value === undefined) throw new Error(`\${${path}.${name}}: action "${action}" produced no output variable "${name}" (list it under Outputs.Variables and set it in a step)`);
    return value;
  });
  return { text: resolved, secrets };
}

/** The names of the secrets `text` references (`${Secrets.name}`), so they can be looked up before resolving. */
export function secretNames(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) if (match[1] === 'Secrets' && !names.includes(match[2]!)) names.push(match[2]!);
  return names;
}
