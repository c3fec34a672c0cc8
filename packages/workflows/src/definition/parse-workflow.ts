/**
 * Reads a CodeCatalyst workflow definition (`.codecatalyst/workflows/*.yaml`) into the normalised `Workflow`.
 *
 * Strict about structure, as the official JSON schema is (no unknown keys, names and limits checked), plus the
 * checks the schema cannot make: `DependsOn` targets exist, no dependency cycles, unique action names across
 * groups, `${Action.Variable}` references name an action and one of its output variables (and make the action
 * wait for it), input artifacts are produced by some action (which the consumer then waits for), `Branches` and
 * `FilesChanged` are valid regular expressions, `SCHEDULE` expressions are valid AWS cron expressions.
 *
 * Lenient, with a warning, where real files differ from the schema:
 * - `SchemaVersion: 1.0` unquoted (YAML reads the number 1);
 * - action-level `Compute.Type: Lambda` (the schema wants `LAMBDA` there; blueprints write `Lambda`);
 * - trigger `Type`, pull request `Events` and `RunMode` in another case (`push`, `PullRequest`, `open`);
 * - `SharedInstance: true` (a YAML boolean; the schema wants the text `TRUE`/`FALSE`);
 * - a key with no value where a list or mapping is expected (`DependsOn:`, `Inputs:`), read as empty — except a
 *   trigger's `Branches`, `FilesChanged` and `Events`, where the official samples make it an error (an empty
 *   branch filter would silently mean "every branch");
 * - `Type: MANUAL` triggers (blueprints emit them; a workflow without triggers is manual anyway) are ignored.
 *
 * YAML is read as 1.1 (as CodeCatalyst does): anchors, aliases and `<<` merges work; values typed as numbers or
 * booleans by YAML keep their text where text is expected. Only the first YAML document is read (CodeCatalyst
 * ignores everything after `---`).
 *
 * Every error is reported in one `GantryError` (`ValidationError`, 400) with a `file:line:column: path: message`
 * line each.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode, type YAMLError } from 'yaml';
import { parseCronExpression } from './cron-expression.ts';
import { compileTriggerPattern } from './trigger-matching.ts';
import { buildWorkflowGraph, findDependencyCycle } from './workflow-graph.ts';
import { workflowValidationError } from './workflow-issues.ts';
import {
  EC2_FLEETS,
  LAMBDA_FLEETS,
  PULL_REQUEST_EVENTS,
  RUN_MODES,
  SUPPORTED_ACTION_IDENTIFIERS,
  type ActionCompute,
  type ActionEnvironment,
  type ActionInputs,
  type ActionOutputs,
  type ActionStep,
  type AutoDiscoverReports,
  type ComputeType,
  type FileCache,
  type InputVariable,
  type PullRequestEvent,
  type ReportConfig,
  type ReportSuccessCriteria,
  type RunMode,
  type SeverityThreshold,
  type StepsConfiguration,
  type Workflow,
  type WorkflowAction,
  type WorkflowCompute,
  type WorkflowIssue,
  type WorkflowTrigger,
} from './workflow-types.ts';
import { describeNode, isNullNode, listOf, nearMiss, NodeReader, type Entry, type Found } from './yaml-node-reader.ts';

export interface ParseWorkflowOptions {
  /**
   * Keep actions Gantry cannot run (`aws/cdk-deploy@v1`, …) as `kind: 'unsupported'` with a warning, instead of
   * an error: for showing or linting a workflow. A run must refuse such a workflow.
   * @default false
   */
  allowUnsupportedActions?: boolean;
}

export interface ParsedWorkflow {
  workflow: Workflow;
  /** Problems that do not stop the workflow (leniencies, ignored keys), in file order. */
  warnings: WorkflowIssue[];
}

/**
 * Parses and validates a workflow definition.
 * @param text the file's content
 * @param file the name used in messages, e.g. `.codecatalyst/workflows/main.yaml`
 * @throws GantryError `ValidationError` listing every error with its position (`details.issues` has them as data)
 * @example
 * const { workflow, warnings } = parseWorkflow(await readFile(path, 'utf8'), '.codecatalyst/workflows/main.yaml');
 */
export function parseWorkflow(text: string, file = 'workflow.yaml', options: ParseWorkflowOptions = {}): ParsedWorkflow {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: true, prettyErrors: false, lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [];
  const doc = docs[0];
  if (!doc) {
    throw workflowValidationError(file, [{ severity: 'error', code: 'invalid-value', file, line: 1, column: 1, path: '', message: 'the workflow file is empty: it needs Name, SchemaVersion and Actions' }], text);
  }
  const reader = new NodeReader(text, file, lineCounter, doc);
  if (doc.errors.length > 0) {
    reportYamlError(reader, doc.errors);
    reader.throwIfErrors();
  }
  for (const warning of doc.warnings) reader.warn('yaml-warning', warning.pos[0], '', warning.message);
  if (docs.length > 1) {
    const second = docs[1]!;
    reader.warn('ignored', Math.max((second.range?.[0] ?? 1) - 1, 0), '', 'everything after the "---" document marker is ignored (as CodeCatalyst does): remove the marker if the rest belongs to the workflow');
  }

  const workflow = new WorkflowReader(reader, file, options).read(doc.contents as Found);
  reader.throwIfErrors();
  return { workflow: workflow!, warnings: reader.sorted('warning') };
}

function reportYamlError(reader: NodeReader, errors: readonly YAMLError[]): void {
  const [first] = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
  if (!first) return;
  const more = errors.length > 1 ? ' (fix this first: the YAML after it could not be read)' : '';
  const duplicate = first.code === 'DUPLICATE_KEY' ? ': a key appears twice in the same mapping (action names must be unique)' : '';
  reader.error('yaml-syntax', first.pos[0], '', `invalid YAML: ${first.message}${duplicate}${more}`);
}

// ---------------------------------------------------------------------------------------------------------------

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const SOURCE_PATTERN = /^[A-Za-z0-9@\-_]+$/;
const ARTIFACT_PATTERN = /^[A-Za-z0-9_]+$/;
const OUTPUT_VARIABLE_PATTERN = /^[A-Za-z0-9@\-_]+$/;
const ROLE_PATTERN = /^[A-Za-z0-9_+=,.@-]+$/;
const CACHE_KEY_PATTERN = /^[A-Za-z0-9\-_.]+$/;
/** `${Action.Var}`, `${Group.Action.Var}`, `${WorkflowSource.CommitId}`, `${Secrets.name}` (as the runner reads them). */
const REFERENCE = /\$\{([A-Za-z0-9.\-_]+)\.([A-Za-z0-9\-_]+)\}/g;
const WORKFLOW_SOURCE_VARIABLES = ['CommitId', 'BranchName'];
const REPORT_FORMATS = [
  'ESLINTJSON', 'PYLINTJSON', 'CUCUMBERJSON', 'JUNITXML', 'NUNIT3XML', 'NUNITXML', 'TESTNGXML', 'VISUALSTUDIOTRX',
  'COBERTURAXML', 'CLOVERXML', 'SIMPLECOV', 'JACOCOXML', 'LCOV', 'SARIFSCA', 'SARIFSA', 'CucumberJson', 'JunitXml',
  'NunitXml', 'Nunit3Xml', 'TestngXml', 'VisualStudioTRX', 'CoberturaXml', 'CloverXml', 'SimpleCov', 'JacocoXml',
];
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;
const ACTION_KEYS = ['Identifier', 'Configuration', 'DependsOn', 'Environment', 'Compute', 'Timeout', 'Caching', 'Packages', 'Outputs', 'Inputs'];
const IDENTIFIERS: readonly { pattern: RegExp; kind: 'build' | 'managed-test' | 'approval'; identifier: (typeof SUPPORTED_ACTION_IDENTIFIERS)[number] }[] = [
  { pattern: /^aws\/build@v1(\.0){0,2}$/, kind: 'build', identifier: 'aws/build@v1' },
  { pattern: /^aws\/managed-test@v1(\.0){0,2}$/, kind: 'managed-test', identifier: 'aws/managed-test@v1' },
  { pattern: /^aws\/approval@v1(\.0){0,2}$/, kind: 'approval', identifier: 'aws/approval@v1' },
];

/** Where a text that may hold `${...}` references was found. */
interface ScannedText {
  value: string;
  node: Found;
  path: string;
}

interface Located<T = string> {
  value: T;
  node: Found;
  path: string;
}

/** An action while the workflow is read, before dependencies are resolved. */
interface ActionDraft {
  action: WorkflowAction;
  keyNode: YamlNode;
  /** The action's own `DependsOn` entries and its group's. */
  declared: (Located & { fromGroup?: string })[];
  texts: ScannedText[];
  inputArtifacts: Located[];
  outputArtifacts: Located[];
  computeNode?: Found;
}

/** Why one action waits for another, for cycle messages. */
type EdgeReasons = Map<string, string>;

class WorkflowReader {
  private readonly drafts: ActionDraft[] = [];
  private readonly groups = new Map<string, { names: string[]; keyNode: YamlNode }>();

  constructor(
    private readonly r: NodeReader,
    private readonly file: string,
    private readonly options: ParseWorkflowOptions,
  ) {}

  read(root: Found): Workflow | undefined {
    const r = this.r;
    const entries = r.mapEntries(root, '', 'a workflow', root, 'error');
    if (!entries) return undefined;
    const top = r.checkKeys(entries, ['Name', 'SchemaVersion', 'RunMode', 'Compute', 'Triggers', 'Actions'], 'the workflow');
    r.requireKeys(top, ['Name', 'SchemaVersion', 'Actions'], root ?? null, '', 'a workflow', {
      Name: 'Name: deploy-backend',
      SchemaVersion: 'SchemaVersion: "1.0"',
      Actions: 'Actions:\n        Build:\n          Identifier: aws/build@v1\n          ...',
    });

    const name = this.readName(top.get('Name'));
    this.readSchemaVersion(top.get('SchemaVersion'));
    const runMode = this.readRunMode(top.get('RunMode'));
    const computeEntry = top.get('Compute');
    const compute = computeEntry ? this.readWorkflowCompute(computeEntry) : undefined;
    const triggers = this.readTriggers(top.get('Triggers'));
    const actionsEntry = top.get('Actions');
    if (actionsEntry) this.readActions(actionsEntry);

    if (computeEntry) {
      for (const draft of this.drafts) {
        if (draft.computeNode !== undefined) {
          r.error('invalid-value', draft.computeNode, `${draft.action.path}.Compute`, 'Compute is set at the workflow level already: set it either for the whole workflow or per action, not both');
        }
      }
    }
    const graph = this.resolveDependencies();
    if (name === undefined || !graph) return undefined;

    const groups: Record<string, string[]> = {};
    for (const [group, info] of this.groups) groups[group] = info.names;
    return {
      name,
      schemaVersion: '1.0',
      runMode,
      ...(compute ? { compute } : {}),
      triggers,
      actions: this.drafts.map((d) => d.action),
      groups,
      graph,
      file: this.file,
    };
  }

  // --- top level ------------------------------------------------------------------------------------------------

  private readName(entry: Entry | undefined): string | undefined {
    if (!entry) return undefined;
    const name = this.r.text(entry.value, entry.path, 'the workflow name', entry.keyNode);
    if (name === undefined) return undefined;
    if (!NAME_PATTERN.test(name) || name.length > 100) {
      this.r.error('invalid-value', entry.value, entry.path, `the workflow name "${name}" may only hold letters, digits, "-" and "_" (at most 100 characters, no spaces), e.g. ${name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 100) || 'main'}`);
      return undefined;
    }
    return name;
  }

  private readSchemaVersion(entry: Entry | undefined): void {
    if (!entry) return;
    const node = this.r.deref(entry.value, entry.path);
    if (node === undefined) return;
    if (isScalar(node) && typeof node.value === 'number' && node.value === 1) {
      this.r.warn('lenient', node, entry.path, `SchemaVersion: ${node.source ?? '1.0'} without quotes is read by YAML as the number 1; accepted as "1.0" (write SchemaVersion: "1.0" to be exact)`);
      return;
    }
    if (isScalar(node) && node.value === '1.0') return;
    this.r.error('invalid-value', node ?? entry.keyNode, entry.path, `SchemaVersion must be "1.0" (the only version), found ${describeNode(node)}`);
  }

  private readRunMode(entry: Entry | undefined): RunMode {
    if (!entry) return 'QUEUED';
    const text = this.r.text(entry.value, entry.path, `the run mode (${listOf(RUN_MODES)})`, entry.keyNode);
    if (text === undefined) return 'QUEUED';
    return this.enumValue(text, RUN_MODES, entry.value, entry.path, 'RunMode') ?? 'QUEUED';
  }

  /** An enum value; another case is accepted with a warning. */
  private enumValue<T extends string>(text: string, values: readonly T[], node: Found, path: string, what: string): T | undefined {
    if ((values as readonly string[]).includes(text)) return text as T;
    const folded = values.find((v) => v.toLowerCase() === text.toLowerCase());
    if (folded !== undefined) {
      this.r.warn('lenient', node, path, `${what} "${text}" is read as "${folded}": the file is case-sensitive, write ${folded}`);
      return folded;
    }
    this.r.error('invalid-value', node, path, `${what} "${text}" is not one of ${listOf(values)}`);
    return undefined;
  }

  private readComputeType(entry: Entry | undefined, level: 'workflow' | 'action'): ComputeType | undefined {
    if (!entry) return undefined;
    const text = this.r.text(entry.value, entry.path, 'the compute type (EC2 or LAMBDA)', entry.keyNode);
    if (text === undefined) return undefined;
    const exact: Record<string, ComputeType> = level === 'workflow' ? { EC2: 'EC2', ec2: 'EC2', LAMBDA: 'LAMBDA', Lambda: 'LAMBDA' } : { EC2: 'EC2', LAMBDA: 'LAMBDA' };
    const type = exact[text];
    if (type) return type;
    const folded = text.toUpperCase() === 'EC2' ? 'EC2' : text.toUpperCase() === 'LAMBDA' ? 'LAMBDA' : undefined;
    if (folded) {
      this.r.warn('lenient', entry.value, entry.path, `Compute.Type "${text}" is read as ${folded} (the schema wants ${folded} ${level === 'action' ? 'in an action' : 'here'}; CodeCatalyst's own blueprints write "${text}")`);
      return folded;
    }
    this.r.error('invalid-value', entry.value, entry.path, `Compute.Type "${text}" is not a compute type: use EC2 or LAMBDA`);
    return undefined;
  }

  private readFleet(entry: Entry | undefined, type: ComputeType | undefined): string | undefined {
    if (!entry) return undefined;
    const fleet = this.r.text(entry.value, entry.path, 'a fleet name', entry.keyNode);
    if (fleet === undefined) return undefined;
    if (type === 'LAMBDA' && !(LAMBDA_FLEETS as readonly string[]).includes(fleet)) {
      this.r.error('invalid-value', entry.value, entry.path, `Fleet "${fleet}" cannot run LAMBDA compute: use ${listOf(LAMBDA_FLEETS)}`);
      return undefined;
    }
    if (fleet.length < 2 || fleet.length > 128) {
      this.r.error('invalid-value', entry.value, entry.path, `Fleet "${fleet}" must be an on-demand fleet (${listOf(EC2_FLEETS)}) or a provisioned fleet's name of 2 to 128 characters`);
      return undefined;
    }
    return fleet;
  }

  private readWorkflowCompute(entry: Entry): WorkflowCompute | undefined {
    const r = this.r;
    const entries = r.mapEntries(entry.value, entry.path, 'Compute', entry.keyNode);
    if (!entries) return undefined;
    const keys = r.checkKeys(entries, ['Type', 'Fleet', 'SharedInstance'], 'Compute');
    r.requireKeys(keys, ['Type'], entry.keyNode, entry.path, 'Compute', { Type: 'Type: EC2' });
    const type = this.readComputeType(keys.get('Type'), 'workflow');
    const fleet = this.readFleet(keys.get('Fleet'), type);
    const shared = keys.get('SharedInstance');
    let sharedInstance = false;
    if (shared) {
      const node = r.deref(shared.value, shared.path);
      const source = isScalar(node) ? (node.source ?? String(node.value)) : '';
      if (isScalar(node) && (node.value === 'TRUE' || node.value === 'FALSE')) sharedInstance = node.value === 'TRUE';
      else if (isScalar(node) && typeof node.value === 'boolean') {
        sharedInstance = node.value;
        if (source !== 'TRUE' && source !== 'FALSE') {
          r.warn('lenient', node, shared.path, `SharedInstance: ${source} is read as ${node.value ? 'TRUE' : 'FALSE'} (the schema wants the text TRUE or FALSE)`);
        }
      } else {
        r.error('invalid-value', node ?? shared.keyNode, shared.path, `SharedInstance must be TRUE or FALSE, found ${describeNode(node)}`);
      }
      if (type === 'LAMBDA') r.error('invalid-value', shared.keyNode, shared.path, 'SharedInstance is only available with EC2 compute: remove it or use Type: EC2');
    }
    if (!type) return undefined;
    return { type, ...(fleet !== undefined ? { fleet } : {}), sharedInstance };
  }

  // --- triggers -------------------------------------------------------------------------------------------------

  private readTriggers(entry: Entry | undefined): WorkflowTrigger[] {
    if (!entry) return [];
    const r = this.r;
    const items = r.listItems(entry.value, entry.path, 'triggers', entry.keyNode, 'empty-with-warning', 'Type: PUSH');
    const triggers: WorkflowTrigger[] = [];
    let schedule: Found;
    for (const item of items ?? []) {
      const entries = r.mapEntries(item.node, item.path, 'a trigger', item.node ?? entry.keyNode, 'error');
      if (!entries) continue;
      const typeEntry = entries.find((e) => e.key === 'Type');
      if (!typeEntry) {
        r.error('missing-key', item.node, item.path, 'a trigger needs "Type": PUSH, PULLREQUEST or SCHEDULE');
        continue;
      }
      const typeText = r.text(typeEntry.value, typeEntry.path, 'the trigger type (PUSH, PULLREQUEST or SCHEDULE)', typeEntry.keyNode);
      if (typeText === undefined) continue;
      const squashed = typeText.toUpperCase().replace(/[_\s-]/g, '');
      if (squashed === 'MANUAL') {
        r.warn('ignored', typeEntry.value, typeEntry.path, 'Type: MANUAL is not a trigger and is ignored: a workflow can always be started by hand');
        continue;
      }
      const type = (['PUSH', 'PULLREQUEST', 'SCHEDULE'] as const).find((t) => t === squashed);
      if (!type) {
        r.error('invalid-value', typeEntry.value, typeEntry.path, `trigger Type "${typeText}" is not one of "PUSH", "PULLREQUEST" or "SCHEDULE"`);
        continue;
      }
      if (type !== typeText) r.warn('lenient', typeEntry.value, typeEntry.path, `trigger Type "${typeText}" is read as ${type}: the file is case-sensitive, write ${type}`);

      if (type === 'PUSH') {
        const keys = r.checkKeys(entries, ['Type', 'Branches', 'FilesChanged'], 'a PUSH trigger');
        triggers.push({ type, branches: this.readPatterns(keys.get('Branches'), 'branch'), filesChanged: this.readPatterns(keys.get('FilesChanged'), 'file') });
      } else if (type === 'PULLREQUEST') {
        const keys = r.checkKeys(entries, ['Type', 'Events', 'Branches', 'FilesChanged'], 'a PULLREQUEST trigger');
        r.requireKeys(keys, ['Events'], item.node, item.path, 'a PULLREQUEST trigger', { Events: 'Events: [OPEN, REVISION]' });
        triggers.push({
          type,
          events: this.readEvents(keys.get('Events')),
          branches: this.readPatterns(keys.get('Branches'), 'branch'),
          filesChanged: this.readPatterns(keys.get('FilesChanged'), 'file'),
        });
      } else {
        const keys = r.checkKeys(entries, ['Type', 'Expression', 'Branches'], 'a SCHEDULE trigger');
        r.requireKeys(keys, ['Expression'], item.node, item.path, 'a SCHEDULE trigger', { Expression: `Expression: "0 3 ? * MON-FRI *"` });
        if (schedule !== undefined) r.error('duplicate', item.node, item.path, 'a workflow can have only one SCHEDULE trigger: merge the schedules into one cron expression or use another workflow');
        schedule = item.node;
        const expressionEntry = keys.get('Expression');
        const expression = expressionEntry ? this.readCron(expressionEntry) : undefined;
        if (expression !== undefined) triggers.push({ type, expression, branches: this.readPatterns(keys.get('Branches'), 'branch') });
      }
    }
    return triggers;
  }

  private readEvents(entry: Entry | undefined): PullRequestEvent[] {
    if (!entry) return [];
    const items = this.r.textList(entry.value, entry.path, `pull request events (${listOf(PULL_REQUEST_EVENTS)})`, entry.keyNode, 'error', 'OPEN');
    if (!items) return [];
    const events: PullRequestEvent[] = [];
    for (const item of items) {
      const event = this.enumValue(item.value, PULL_REQUEST_EVENTS, item.node, item.path, 'pull request event');
      if (event && !events.includes(event)) events.push(event);
    }
    if (items.length === 0) this.r.warn('invalid-value', entry.value, entry.path, 'Events is empty: this trigger starts no runs; list events such as OPEN and REVISION');
    return events;
  }

  /** `Branches` / `FilesChanged`: regexes, checked. A null value is an error (as in the official samples). */
  private readPatterns(entry: Entry | undefined, kind: 'branch' | 'file'): string[] {
    if (!entry) return [];
    const what = kind === 'branch' ? 'branch name patterns (regular expressions)' : 'file path patterns (regular expressions)';
    const example = kind === 'branch' ? 'main' : 'src/.*';
    const node = this.r.deref(entry.value, entry.path);
    if (node !== undefined && isNullNode(node)) {
      this.r.error('invalid-value', node ?? entry.keyNode, entry.path, `${entry.key} has no value: list ${what}, e.g. "${entry.key}: [${example}]", or remove the key to match ${kind === 'branch' ? 'every branch' : 'any change'}`);
      return [];
    }
    const items = this.r.textList(entry.value, entry.path, what, entry.keyNode, 'error', example);
    const patterns: string[] = [];
    for (const item of items ?? []) {
      if (item.value === '') {
        this.r.error('invalid-regex', item.node, item.path, `the ${kind} pattern is empty: write a regular expression such as ${example}`);
        continue;
      }
      try {
        compileTriggerPattern(item.value);
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).split(': ').at(-1);
        const glob = /\*/.test(item.value)
          ? `; ${entry.key} entries are regular expressions, not globs: write ".*" for "anything", e.g. ${kind === 'branch' ? 'feature/.*' : 'src/.*\\.ts'}`
          : '';
        this.r.error('invalid-regex', item.node, item.path, `"${item.value}" is not a valid regular expression: ${reason}${glob}`);
        continue;
      }
      if (/\/\*|\*\*|^\*/.test(item.value)) {
        this.r.warn('invalid-value', item.node, item.path, `"${item.value}" looks like a glob, but ${entry.key} entries are regular expressions matched against the whole ${kind === 'branch' ? 'branch name' : 'path'}: "${item.value.replace(/\*\*\/?/g, '.*').replace(/(?<!\.)\*/g, '.*')}" is probably what you mean`);
      }
      patterns.push(item.value);
    }
    return patterns;
  }

  private readCron(entry: Entry): string | undefined {
    const expression = this.r.text(entry.value, entry.path, 'a cron expression such as "0 3 ? * MON-FRI *"', entry.keyNode);
    if (expression === undefined) return undefined;
    const check = parseCronExpression(expression);
    if (!check.ok) {
      this.r.error('invalid-cron', entry.value, entry.path, `"${expression}" is not a valid cron expression: ${check.problem}. CodeCatalyst uses AWS cron: "minutes hours day-of-month month day-of-week year" in UTC, e.g. "0 3 ? * MON-FRI *"`);
      return undefined;
    }
    return check.schedule.expression;
  }

  // --- actions --------------------------------------------------------------------------------------------------

  private readActions(entry: Entry): void {
    const r = this.r;
    const entries = r.mapEntries(entry.value, entry.path, 'the actions', entry.keyNode, 'error');
    if (!entries) return;
    if (entries.length === 0) {
      r.error('invalid-value', entry.value ?? entry.keyNode, entry.path, 'Actions is empty: a workflow needs at least one action');
      return;
    }
    for (const item of entries) {
      if (!this.checkName(item, 'action')) continue;
      const members = r.mapEntries(item.value, item.path, `the action ${item.key}`, item.keyNode, 'error');
      if (!members) continue;
      const hasIdentifier = members.some((m) => m.key === 'Identifier');
      const hasActions = members.some((m) => m.key === 'Actions');
      if (hasIdentifier || !hasActions) {
        this.readAction(item, members, [], []);
        continue;
      }
      this.readGroup(item, members);
    }
  }

  private checkName(entry: Entry, what: 'action' | 'action group'): boolean {
    if (NAME_PATTERN.test(entry.key)) return true;
    this.r.error('invalid-value', entry.keyNode, entry.path, `the ${what} name "${entry.key}" may only hold letters, digits, "-" and "_", e.g. ${entry.key.replace(/[^A-Za-z0-9_-]+/g, '_')}`);
    return false;
  }

  private readGroup(group: Entry, members: Entry[]): void {
    const r = this.r;
    const keys = r.checkKeys(members, ['DependsOn', 'Actions'], `the action group ${group.key}`);
    const declared = this.readDependsOn(keys.get('DependsOn')).map((d) => ({ ...d, fromGroup: group.key }));
    const actionsEntry = keys.get('Actions')!;
    const actions = r.mapEntries(actionsEntry.value, actionsEntry.path, `the actions of the group ${group.key}`, actionsEntry.keyNode, 'error');
    if (!actions) return;
    if (actions.length === 0) r.error('invalid-value', actionsEntry.value ?? actionsEntry.keyNode, actionsEntry.path, `the action group ${group.key} has no actions`);
    if (this.groups.has(group.key)) r.error('duplicate', group.keyNode, group.path, `"${group.key}" is used twice: action and group names must be unique in the workflow`);
    const info = { names: [] as string[], keyNode: group.keyNode };
    this.groups.set(group.key, info);
    for (const item of actions) {
      if (!this.checkName(item, 'action')) continue;
      const fields = r.mapEntries(item.value, item.path, `the action ${item.key}`, item.keyNode, 'error');
      if (!fields) continue;
      if (!fields.some((f) => f.key === 'Identifier') && fields.some((f) => f.key === 'Actions')) {
        r.error('invalid-value', item.keyNode, item.path, `action groups cannot be nested: move the actions of ${item.key} into ${group.key} or to the top level`);
        continue;
      }
      const draft = this.readAction(item, fields, [group.key], declared);
      if (draft) info.names.push(draft.action.name);
    }
  }

  private readDependsOn(entry: Entry | undefined): Located[] {
    if (!entry) return [];
    const items = this.r.textList(entry.value, entry.path, 'action or action group names', entry.keyNode, 'empty-with-warning', 'Build');
    if (!items) return [];
    if (items.length > 50) this.r.error('invalid-value', entry.value, entry.path, `DependsOn lists ${items.length} names; at most 50 are allowed`);
    return items.map((item) => ({ value: item.value, node: item.node, path: item.path }));
  }

  private readAction(entry: Entry, fields: Entry[], groupPath: string[], groupDeclared: Located[]): ActionDraft | undefined {
    const r = this.r;
    const keys = r.checkKeys(fields, ACTION_KEYS, `the action ${entry.key}`, {
      Packages: 'Packages (CodeCatalyst package repositories) is not supported by Gantry and is ignored: configure registries in the steps (e.g. npm config set registry ...)',
    });
    const identifierEntry = keys.get('Identifier');
    if (!identifierEntry) {
      r.error('missing-key', entry.keyNode, entry.path, `the action ${entry.key} needs "Identifier" (e.g. Identifier: aws/build@v1), or "Actions" if it is an action group`);
      return undefined;
    }
    const written = r.text(identifierEntry.value, identifierEntry.path, 'the action identifier, e.g. aws/build@v1', identifierEntry.keyNode);
    if (written === undefined) return undefined;
    const known = IDENTIFIERS.find((i) => i.pattern.test(written));
    if (!known) {
      const message = `the action identifier "${written}" is not supported; supported: ${SUPPORTED_ACTION_IDENTIFIERS.join(', ')}`;
      // Kept as an unsupported action either way, so that dependencies on it resolve and only this is reported.
      if (!this.options.allowUnsupportedActions) {
        r.error('unsupported-action', identifierEntry.value, identifierEntry.path, `${message}${unsupportedHint(written)}`);
      } else {
        r.warn('unsupported-action', identifierEntry.value, identifierEntry.path, `${message}: the workflow cannot run until it is replaced`);
      }
    }

    const texts: ScannedText[] = [];
    const dependsOnEntry = keys.get('DependsOn');
    const declared = [...groupDeclared, ...this.readDependsOn(dependsOnEntry)];
    const inputsEntry = keys.get('Inputs');
    const inputs = inputsEntry ? this.readInputs(inputsEntry, texts) : { sources: [], artifacts: [], variables: [], located: [] };
    const outputsEntry = keys.get('Outputs');
    const outputs = outputsEntry ? this.readOutputs(outputsEntry) : { artifacts: [], variables: [], reports: {}, located: [] };
    const environmentEntry = keys.get('Environment');
    const environment = environmentEntry ? this.readEnvironment(environmentEntry) : undefined;
    const computeEntry = keys.get('Compute');
    const compute = computeEntry ? this.readActionCompute(computeEntry) : undefined;
    const timeoutEntry = keys.get('Timeout');
    const timeoutMinutes = timeoutEntry ? r.number(timeoutEntry.value, timeoutEntry.path, 'the timeout in minutes', { min: 1, max: 480, integer: true }, timeoutEntry.keyNode) : undefined;
    const cachingEntry = keys.get('Caching');
    const fileCaching = cachingEntry ? this.readCaching(cachingEntry) : {};
    const configurationEntry = keys.get('Configuration');

    const base = {
      name: entry.key,
      groupPath,
      path: entry.path,
      identifierAsWritten: written,
      declaredDependsOn: declared.map((d) => d.value),
      dependsOn: [] as string[],
      inputs: { sources: inputs.sources, artifacts: inputs.artifacts, variables: inputs.variables },
      outputs: { artifacts: outputs.artifacts, variables: outputs.variables, reports: outputs.reports, ...(outputs.autoDiscoverReports ? { autoDiscoverReports: outputs.autoDiscoverReports } : {}) },
      ...(environment ? { environment } : {}),
      ...(compute ? { compute } : {}),
      ...(timeoutMinutes !== undefined ? { timeoutMinutes } : {}),
      caching: { fileCaching },
    };

    let action: WorkflowAction;
    if (!known) {
      if (/^aws\/github-actions-runner@v1/.test(written) && !configurationEntry) {
        r.error('missing-key', entry.keyNode, entry.path, `the action ${entry.key} (${written}) needs "Configuration" with "Steps"`);
      }
      const configuration = configurationEntry ? this.readFreeConfiguration(configurationEntry, texts) : {};
      action = { ...base, kind: 'unsupported', identifier: written, configuration };
    } else if (known.kind === 'approval') {
      action = { ...base, kind: 'approval', identifier: 'aws/approval@v1', configuration: { approvalsRequired: configurationEntry ? this.readApproval(configurationEntry) : 1 } };
    } else {
      if (!configurationEntry) {
        r.error('missing-key', entry.keyNode, entry.path, `the action ${entry.key} (${written}) needs "Configuration" with "Steps", e.g.\n      Configuration:\n        Steps:\n          - Run: npm ci`);
      }
      const configuration = configurationEntry ? this.readStepsConfiguration(configurationEntry, texts) : { steps: [] };
      action = known.kind === 'build'
        ? { ...base, kind: 'build', identifier: 'aws/build@v1', configuration }
        : { ...base, kind: 'managed-test', identifier: 'aws/managed-test@v1', configuration };
    }

    const draft: ActionDraft = {
      action,
      keyNode: entry.keyNode,
      declared,
      texts,
      inputArtifacts: inputs.located,
      outputArtifacts: outputs.located,
      ...(computeEntry ? { computeNode: computeEntry.keyNode } : {}),
    };
    this.drafts.push(draft);
    return draft;
  }

  private readActionCompute(entry: Entry): ActionCompute | undefined {
    const entries = this.r.mapEntries(entry.value, entry.path, 'Compute', entry.keyNode);
    if (!entries) return undefined;
    const keys = this.r.checkKeys(entries, ['Type', 'Fleet'], 'an action Compute');
    this.r.requireKeys(keys, ['Type'], entry.keyNode, entry.path, 'Compute', { Type: 'Type: EC2' });
    const type = this.readComputeType(keys.get('Type'), 'action');
    const fleet = this.readFleet(keys.get('Fleet'), type);
    return type ? { type, ...(fleet !== undefined ? { fleet } : {}) } : undefined;
  }

  private readInputs(entry: Entry, texts: ScannedText[]): ActionInputs & { located: Located[] } {
    const r = this.r;
    const result: ActionInputs & { located: Located[] } = { sources: [], artifacts: [], variables: [], located: [] };
    const entries = r.mapEntries(entry.value, entry.path, 'Inputs', entry.keyNode);
    if (!entries) return result;
    if (entries.length === 0 && !isNullNode(entry.value)) r.warn('lenient', entry.value, entry.path, 'Inputs is empty and has no effect: remove it or list Sources, Artifacts or Variables');
    const keys = r.checkKeys(entries, ['Sources', 'Artifacts', 'Variables'], 'Inputs');

    const sources = keys.get('Sources');
    if (sources) {
      const items = r.textList(sources.value, sources.path, 'sources', sources.keyNode, 'empty-with-warning', 'WorkflowSource') ?? [];
      if (items.length > 1) r.error('invalid-value', sources.value, sources.path, `Sources lists ${items.length} sources; at most one is allowed`);
      for (const item of items) {
        if (!SOURCE_PATTERN.test(item.value)) r.error('invalid-value', item.node, item.path, `"${item.value}" is not a source name (letters, digits, "@", "-", "_")`);
        else if (item.value !== 'WorkflowSource') r.error('invalid-value', item.node, item.path, `the source "${item.value}" is not available: Gantry checks out only WorkflowSource (the workflow's own repository)`);
        else result.sources.push(item.value);
      }
    }

    const artifacts = keys.get('Artifacts');
    if (artifacts) {
      const items = r.textList(artifacts.value, artifacts.path, 'artifact names', artifacts.keyNode, 'empty-with-warning', 'build_output') ?? [];
      if (items.length > 5) r.error('invalid-value', artifacts.value, artifacts.path, `Artifacts lists ${items.length} artifacts; at most 5 are allowed`);
      for (const item of items) {
        if (!ARTIFACT_PATTERN.test(item.value) || item.value.length > 100) {
          r.error('invalid-value', item.node, item.path, `"${item.value}" is not an artifact name (letters, digits and "_", at most 100 characters)`);
        } else {
          result.artifacts.push(item.value);
          result.located.push(item);
        }
      }
    }

    const variables = keys.get('Variables');
    if (variables) result.variables = this.readInputVariables(variables, texts);
    return result;
  }

  private readInputVariables(entry: Entry, texts: ScannedText[]): InputVariable[] {
    const r = this.r;
    const node = r.deref(entry.value, entry.path);
    if (node === undefined) return [];
    const variables: InputVariable[] = [];
    const seen = new Set<string>();
    const add = (name: string, nameNode: Found, value: string | undefined, valueNode: Found, path: string): void => {
      if (!NAME_PATTERN.test(name) || name.length > 60) {
        r.error('invalid-value', nameNode, path, `"${name}" is not a variable name (letters, digits, "-" and "_", at most 60 characters)`);
        return;
      }
      if (seen.has(name)) r.error('duplicate', nameNode, path, `the variable ${name} is defined twice`);
      seen.add(name);
      if (value === undefined) return;
      if (value.length > 1000) r.error('invalid-value', valueNode, path, `the value of ${name} is ${value.length} characters long; at most 1000 are allowed`);
      variables.push({ name, value });
      texts.push({ value, node: valueNode, path });
    };
    if (node && isMap(node)) {
      for (const item of r.mapEntries(node, entry.path, 'Variables') ?? []) {
        add(item.key, item.keyNode, r.text(item.value, item.path, `the value of ${item.key}`, item.keyNode), item.value, item.path);
      }
    } else {
      const items = r.listItems(node, entry.path, 'variables ("- Name: NAME" and "Value: value")', entry.keyNode, 'empty-with-warning', 'Name: AWS_APP_ID\n          Value: d1a2b3c4');
      for (const item of items ?? []) {
        const fields = r.mapEntries(item.node, item.path, 'a variable', item.node ?? entry.keyNode, 'error');
        if (!fields) continue;
        const keys = r.checkKeys(fields, ['Name', 'Value'], 'a variable');
        r.requireKeys(keys, ['Name', 'Value'], item.node, item.path, 'a variable', { Name: 'Name: AWS_APP_ID', Value: 'Value: d1a2b3c4' });
        const nameEntry = keys.get('Name');
        const valueEntry = keys.get('Value');
        const name = nameEntry ? r.text(nameEntry.value, nameEntry.path, 'the variable name', nameEntry.keyNode) : undefined;
        const value = valueEntry ? r.text(valueEntry.value, valueEntry.path, `the value of ${name ?? 'the variable'}`, valueEntry.keyNode) : undefined;
        if (name !== undefined) add(name, nameEntry!.value, value, valueEntry?.value, valueEntry?.path ?? item.path);
      }
    }
    if (variables.length > 256) r.error('invalid-value', entry.keyNode, entry.path, `Variables defines ${variables.length} variables; at most 256 are allowed`);
    return variables;
  }

  private readOutputs(entry: Entry): ActionOutputs & { located: Located[] } {
    const r = this.r;
    const result: ActionOutputs & { located: Located[] } = { artifacts: [], variables: [], reports: {}, located: [] };
    const entries = r.mapEntries(entry.value, entry.path, 'Outputs', entry.keyNode);
    if (!entries) return result;
    if (entries.length === 0 && !isNullNode(entry.value)) r.warn('lenient', entry.value, entry.path, 'Outputs is empty and has no effect: remove it or list Artifacts, Variables or Reports');
    const keys = r.checkKeys(entries, ['Artifacts', 'Variables', 'Reports', 'AutoDiscoverReports'], 'Outputs');

    const artifacts = keys.get('Artifacts');
    if (artifacts) {
      const node = r.deref(artifacts.value, artifacts.path);
      const add = (name: string, nameNode: Found, files: string[] | undefined, path: string): void => {
        if (!ARTIFACT_PATTERN.test(name) || name.length > 100) {
          r.error('invalid-value', nameNode, path, `"${name}" is not an artifact name (letters, digits and "_", at most 100 characters)`);
          return;
        }
        if (result.artifacts.some((a) => a.name === name)) r.error('duplicate', nameNode, path, `the artifact ${name} is output twice`);
        if (files) result.artifacts.push({ name, files });
        result.located.push({ value: name, node: nameNode, path });
      };
      if (node && isMap(node)) {
        for (const item of r.mapEntries(node, artifacts.path, 'Artifacts') ?? []) {
          const fields = r.mapEntries(item.value, item.path, `the artifact ${item.key}`, item.keyNode, 'error');
          const fkeys = fields ? r.checkKeys(fields, ['Files'], `the artifact ${item.key}`) : new Map<string, Entry>();
          if (fields) r.requireKeys(fkeys, ['Files'], item.keyNode, item.path, `the artifact ${item.key}`, { Files: 'Files: ["dist/**/*"]' });
          add(item.key, item.keyNode, this.readFiles(fkeys.get('Files')), item.path);
        }
      } else {
        const items = r.listItems(node, artifacts.path, 'artifacts', artifacts.keyNode, 'empty-with-warning', 'Name: frontend\n          Files: ["dist/**/*"]') ?? [];
        for (const item of items) {
          const fields = r.mapEntries(item.node, item.path, 'an artifact', item.node ?? artifacts.keyNode, 'error');
          if (!fields) continue;
          const fkeys = r.checkKeys(fields, ['Name', 'Files'], 'an artifact');
          r.requireKeys(fkeys, ['Name', 'Files'], item.node, item.path, 'an output artifact', { Name: 'Name: frontend', Files: 'Files: ["dist/**/*"]' });
          const nameEntry = fkeys.get('Name');
          const name = nameEntry ? r.text(nameEntry.value, nameEntry.path, 'the artifact name', nameEntry.keyNode) : undefined;
          if (name !== undefined) add(name, nameEntry!.value, this.readFiles(fkeys.get('Files')), nameEntry!.path);
        }
      }
      if (result.artifacts.length > 5) r.error('invalid-value', artifacts.keyNode, artifacts.path, `Artifacts lists ${result.artifacts.length} artifacts; at most 5 are allowed`);
    }

    const variables = keys.get('Variables');
    if (variables) {
      const items = r.textList(variables.value, variables.path, 'environment variable names', variables.keyNode, 'empty-with-warning', 'BUILD_ID') ?? [];
      if (items.length > 256) r.error('invalid-value', variables.value, variables.path, `Variables lists ${items.length} names; at most 256 are allowed`);
      for (const item of items) {
        if (!OUTPUT_VARIABLE_PATTERN.test(item.value) || item.value.length > 255) {
          r.error('invalid-value', item.node, item.path, `"${item.value}" is not a variable name (letters, digits, "@", "-" and "_")`);
        } else if (!result.variables.includes(item.value)) result.variables.push(item.value);
      }
    }

    const reports = keys.get('Reports');
    if (reports) {
      const items = r.mapEntries(reports.value, reports.path, 'Reports', reports.keyNode) ?? [];
      if (items.length > 50) r.error('invalid-value', reports.keyNode, reports.path, `Reports defines ${items.length} reports; at most 50 are allowed`);
      for (const item of items) {
        if (!/^[A-Za-z0-9_-]*$/.test(item.key) || item.key.length > 255) {
          r.error('invalid-value', item.keyNode, item.path, `"${item.key}" is not a report name (letters, digits, "-" and "_")`);
          continue;
        }
        const report = this.readReport(item);
        if (report) result.reports[item.key] = report;
      }
    }

    const auto = keys.get('AutoDiscoverReports');
    if (auto) {
      const fields = r.mapEntries(auto.value, auto.path, 'AutoDiscoverReports', auto.keyNode);
      if (fields) {
        const akeys = r.checkKeys(fields, ['Enabled', 'ReportNamePrefix', 'IncludePaths', 'ExcludePaths', 'SuccessCriteria'], 'AutoDiscoverReports');
        const enabled = akeys.get('Enabled');
        const prefix = akeys.get('ReportNamePrefix');
        const criteria = akeys.get('SuccessCriteria');
        const reportNamePrefix = prefix ? r.text(prefix.value, prefix.path, 'a report name prefix', prefix.keyNode) : undefined;
        const successCriteria = criteria ? this.readSuccessCriteria(criteria) : undefined;
        const discovered: AutoDiscoverReports = {
          enabled: (enabled ? r.boolean(enabled.value, enabled.path, 'Enabled', enabled.keyNode) : undefined) ?? false,
          includePaths: this.readGlobs(akeys.get('IncludePaths')),
          excludePaths: this.readGlobs(akeys.get('ExcludePaths')),
          ...(reportNamePrefix !== undefined ? { reportNamePrefix } : {}),
          ...(successCriteria ? { successCriteria } : {}),
        };
        result.autoDiscoverReports = discovered;
      }
    }
    return result;
  }

  private readFiles(entry: Entry | undefined): string[] | undefined {
    if (!entry) return undefined;
    const items = this.r.textList(entry.value, entry.path, 'file globs', entry.keyNode, 'error', '"dist/**/*"');
    if (!items) return undefined;
    if (items.length === 0 || items.length > 256) {
      this.r.error('invalid-value', entry.value, entry.path, `Files must list 1 to 256 globs, found ${items.length}`);
      return undefined;
    }
    return items.map((i) => i.value);
  }

  private readGlobs(entry: Entry | undefined): string[] {
    if (!entry) return [];
    return (this.r.textList(entry.value, entry.path, 'path globs', entry.keyNode, 'empty-with-warning', '"reports/**/*.xml"') ?? []).map((i) => i.value);
  }

  private readReport(entry: Entry): ReportConfig | undefined {
    const r = this.r;
    const fields = r.mapEntries(entry.value, entry.path, `the report ${entry.key}`, entry.keyNode, 'error');
    if (!fields) return undefined;
    const keys = r.checkKeys(fields, ['Format', 'IncludePaths', 'ExcludePaths', 'SuccessCriteria'], `the report ${entry.key}`);
    r.requireKeys(keys, ['Format', 'IncludePaths'], entry.keyNode, entry.path, `the report ${entry.key}`, { Format: 'Format: JUNITXML', IncludePaths: 'IncludePaths: ["reports/*.xml"]' });
    const formatEntry = keys.get('Format');
    const format = formatEntry ? r.text(formatEntry.value, formatEntry.path, 'a report format', formatEntry.keyNode) : undefined;
    if (format !== undefined && !REPORT_FORMATS.includes(format)) {
      r.error('invalid-value', formatEntry!.value, formatEntry!.path, `"${format}" is not a report format: use one of ${REPORT_FORMATS.filter((f) => f === f.toUpperCase()).join(', ')}`);
      return undefined;
    }
    const criteria = keys.get('SuccessCriteria');
    const successCriteria = criteria ? this.readSuccessCriteria(criteria) : undefined;
    if (format === undefined) return undefined;
    return {
      format,
      includePaths: this.readGlobs(keys.get('IncludePaths')),
      excludePaths: this.readGlobs(keys.get('ExcludePaths')),
      ...(successCriteria ? { successCriteria } : {}),
    };
  }

  private readSuccessCriteria(entry: Entry): ReportSuccessCriteria | undefined {
    const r = this.r;
    const fields = r.mapEntries(entry.value, entry.path, 'SuccessCriteria', entry.keyNode);
    if (!fields) return undefined;
    const percentages = { PassRate: 'passRate', LineCoverage: 'lineCoverage', BranchCoverage: 'branchCoverage' } as const;
    const thresholds = {
      Vulnerabilities: 'vulnerabilities',
      StaticAnalysisBug: 'staticAnalysisBug',
      StaticAnalysisSecurity: 'staticAnalysisSecurity',
      StaticAnalysisQuality: 'staticAnalysisQuality',
      StaticAnalysisCodeSmell: 'staticAnalysisCodeSmell',
      StaticAnalysisOther: 'staticAnalysisOther',
      StaticAnalysisFinding: 'staticAnalysisFinding',
    } as const;
    const keys = r.checkKeys(fields, [...Object.keys(percentages), ...Object.keys(thresholds)], 'SuccessCriteria');
    const criteria: ReportSuccessCriteria = {};
    for (const [key, field] of Object.entries(percentages)) {
      const item = keys.get(key);
      const value = item ? r.number(item.value, item.path, `${key} (a percentage)`, { min: 0, max: 100 }, item.keyNode) : undefined;
      if (value !== undefined) criteria[field] = value;
    }
    for (const [key, field] of Object.entries(thresholds)) {
      const item = keys.get(key);
      if (!item) continue;
      const parts = r.mapEntries(item.value, item.path, key, item.keyNode, 'error');
      if (!parts) continue;
      const pkeys = r.checkKeys(parts, ['Severity', 'Number'], key);
      r.requireKeys(pkeys, ['Severity'], item.keyNode, item.path, key, { Severity: 'Severity: HIGH' });
      const severityEntry = pkeys.get('Severity');
      const severityText = severityEntry ? r.text(severityEntry.value, severityEntry.path, 'a severity', severityEntry.keyNode) : undefined;
      const severity = severityText !== undefined ? this.enumValue(severityText, SEVERITIES, severityEntry!.value, severityEntry!.path, 'Severity') : undefined;
      const numberEntry = pkeys.get('Number');
      const number = numberEntry ? r.number(numberEntry.value, numberEntry.path, 'Number', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }, numberEntry.keyNode) : undefined;
      if (severity) criteria[field] = { severity, ...(number !== undefined ? { number } : {}) } satisfies SeverityThreshold;
    }
    return criteria;
  }

  private readEnvironment(entry: Entry): ActionEnvironment | undefined {
    const r = this.r;
    const fields = r.mapEntries(entry.value, entry.path, 'Environment', entry.keyNode, 'error');
    if (!fields) return undefined;
    const keys = r.checkKeys(fields, ['Name', 'Connections'], 'Environment');
    r.requireKeys(keys, ['Name'], entry.keyNode, entry.path, 'Environment', { Name: 'Name: production' });
    const nameEntry = keys.get('Name');
    const name = nameEntry ? r.text(nameEntry.value, nameEntry.path, 'the environment name', nameEntry.keyNode) : undefined;
    if (name !== undefined && name.length > 2500) r.error('invalid-value', nameEntry!.value, nameEntry!.path, 'the environment name is longer than 2500 characters');
    const connections: ActionEnvironment['connections'] = [];
    const connectionsEntry = keys.get('Connections');
    if (connectionsEntry) {
      const items = r.listItems(connectionsEntry.value, connectionsEntry.path, 'connections', connectionsEntry.keyNode, 'empty-with-warning', 'Name: production-account\n            Role: deploy-role') ?? [];
      if (items.length > 1) r.error('invalid-value', connectionsEntry.value, connectionsEntry.path, `Connections lists ${items.length} connections; an environment has exactly one`);
      if (items.length === 0 && !isNullNode(connectionsEntry.value)) r.warn('lenient', connectionsEntry.value, connectionsEntry.path, 'Connections is empty: the action runs without account credentials');
      for (const item of items) {
        const parts = r.mapEntries(item.node, item.path, 'a connection', item.node ?? connectionsEntry.keyNode, 'error');
        if (!parts) continue;
        const ckeys = r.checkKeys(parts, ['Name', 'Role'], 'a connection');
        r.requireKeys(ckeys, ['Name', 'Role'], item.node, item.path, 'a connection', { Name: 'Name: production-account', Role: 'Role: deploy-role' });
        const connection = this.readConnectionName(ckeys.get('Name'));
        const roleEntry = ckeys.get('Role');
        const role = roleEntry ? r.text(roleEntry.value, roleEntry.path, 'the IAM role name', roleEntry.keyNode) : undefined;
        if (role !== undefined && (!ROLE_PATTERN.test(role) || role.length > 64)) {
          r.error('invalid-value', roleEntry!.value, roleEntry!.path, `"${role}" is not a role name (letters, digits and "_+=,.@-", at most 64 characters; give the name, not the ARN)`);
          continue;
        }
        if (connection !== undefined && role !== undefined) connections.push({ name: connection, role });
      }
    }
    return name === undefined ? undefined : { name, connections };
  }

  private readConnectionName(entry: Entry | undefined): string | undefined {
    if (!entry) return undefined;
    const node = this.r.deref(entry.value, entry.path);
    if (isScalar(node) && typeof node.value === 'number') {
      if (!Number.isInteger(node.value) || node.value < 0 || node.value > 999_999_999_999) {
        this.r.error('invalid-value', node, entry.path, `the connection name ${node.source ?? node.value} is not an account id (0 to 999999999999)`);
        return undefined;
      }
      return node.source ?? String(node.value);
    }
    const name = this.r.text(node, entry.path, 'the connection name', entry.keyNode);
    if (name === undefined) return undefined;
    if (!/^[A-Za-z0-9\-_]+$/.test(name) || name.length < 3 || name.length > 63) {
      this.r.error('invalid-value', node, entry.path, `"${name}" is not a connection name (3 to 63 letters, digits, "-" and "_")`);
      return undefined;
    }
    return name;
  }

  private readCaching(entry: Entry): Record<string, FileCache> {
    const r = this.r;
    const caches: Record<string, FileCache> = {};
    const fields = r.mapEntries(entry.value, entry.path, 'Caching', entry.keyNode);
    if (!fields) return caches;
    const keys = r.checkKeys(fields, ['FileCaching'], 'Caching');
    const fileCaching = keys.get('FileCaching');
    if (!fileCaching) return caches;
    const items = r.mapEntries(fileCaching.value, fileCaching.path, 'FileCaching', fileCaching.keyNode) ?? [];
    if (items.length > 5) r.error('invalid-value', fileCaching.keyNode, fileCaching.path, `FileCaching defines ${items.length} caches; at most 5 are allowed`);
    for (const item of items) {
      if (!CACHE_KEY_PATTERN.test(item.key) || item.key.length > 180) {
        r.error('invalid-value', item.keyNode, item.path, `"${item.key}" is not a cache name (letters, digits, "-", "_" and ".")`);
        continue;
      }
      const parts = r.mapEntries(item.value, item.path, `the cache ${item.key}`, item.keyNode, 'error');
      if (!parts) continue;
      const ckeys = r.checkKeys(parts, ['Path', 'RestoreKeys'], `the cache ${item.key}`);
      r.requireKeys(ckeys, ['Path'], item.keyNode, item.path, `the cache ${item.key}`, { Path: 'Path: node_modules' });
      const pathEntry = ckeys.get('Path');
      const path = pathEntry ? r.text(pathEntry.value, pathEntry.path, 'the path to cache', pathEntry.keyNode) : undefined;
      const restoreEntry = ckeys.get('RestoreKeys');
      const restoreKeys = restoreEntry ? (r.textList(restoreEntry.value, restoreEntry.path, 'cache keys', restoreEntry.keyNode, 'empty-with-warning') ?? []).map((i) => i.value) : [];
      if (restoreKeys.length > 5) r.error('invalid-value', restoreEntry!.value, restoreEntry!.path, `RestoreKeys lists ${restoreKeys.length} keys; at most 5 are allowed`);
      if (path !== undefined) caches[item.key] = { path, restoreKeys };
    }
    return caches;
  }

  private readStepsConfiguration(entry: Entry, texts: ScannedText[]): StepsConfiguration {
    const r = this.r;
    const configuration: StepsConfiguration = { steps: [] };
    const fields = r.mapEntries(entry.value, entry.path, 'Configuration', entry.keyNode, 'error');
    if (!fields) return configuration;
    const keys = r.checkKeys(fields, ['Steps', 'Container'], 'the Configuration of a build or test action');
    r.requireKeys(keys, ['Steps'], entry.keyNode, entry.path, 'Configuration', { Steps: 'Steps:\n          - Run: npm ci' });
    const stepsEntry = keys.get('Steps');
    if (stepsEntry) {
      const items = r.listItems(stepsEntry.value, stepsEntry.path, 'steps', stepsEntry.keyNode, 'empty-with-warning', 'Run: npm ci') ?? [];
      if (items.length > 256) r.error('invalid-value', stepsEntry.value, stepsEntry.path, `Steps lists ${items.length} steps; at most 256 are allowed`);
      for (const item of items) {
        const node = r.deref(item.node, item.path);
        if (isScalar(node) && typeof node.value === 'string') {
          r.error('wrong-type', node, item.path, `a step is a mapping with "Run": write "- Run: ${node.value}"`);
          continue;
        }
        const parts = r.mapEntries(node, item.path, 'a step', item.node ?? stepsEntry.keyNode, 'error');
        if (!parts) continue;
        const skeys = r.checkKeys(parts, ['Run'], 'a step');
        r.requireKeys(skeys, ['Run'], item.node, item.path, 'a step', { Run: 'Run: npm ci' });
        const runEntry = skeys.get('Run');
        const run = runEntry ? r.text(runEntry.value, runEntry.path, 'a shell command', runEntry.keyNode) : undefined;
        if (run === undefined) continue;
        configuration.steps.push({ run } satisfies ActionStep);
        texts.push({ value: run, node: runEntry!.value, path: runEntry!.path });
      }
    }
    const containerEntry = keys.get('Container');
    if (containerEntry) {
      const parts = r.mapEntries(containerEntry.value, containerEntry.path, 'Container', containerEntry.keyNode) ?? [];
      const ckeys = r.checkKeys(parts, ['Registry', 'Image'], 'Container');
      const container: { registry?: string; image?: string } = {};
      for (const [key, field] of [['Registry', 'registry'], ['Image', 'image']] as const) {
        const item = ckeys.get(key);
        const value = item ? r.text(item.value, item.path, key === 'Image' ? 'the image, e.g. node:20' : 'the registry (DockerHub, ECR or Other)', item.keyNode) : undefined;
        if (value !== undefined) {
          container[field] = value;
          texts.push({ value, node: item!.value, path: item!.path });
        }
      }
      configuration.container = container;
    }
    return configuration;
  }

  private readApproval(entry: Entry): 1 | 2 {
    const r = this.r;
    const fields = r.mapEntries(entry.value, entry.path, 'Configuration', entry.keyNode);
    if (!fields) return 1;
    const keys = r.checkKeys(fields, ['ApprovalsRequired'], 'the Configuration of an approval action');
    const required = keys.get('ApprovalsRequired');
    const count = required ? r.number(required.value, required.path, 'the number of approvals', { min: 1, max: 2, integer: true }, required.keyNode) : 1;
    return count === 2 ? 2 : 1;
  }

  private readFreeConfiguration(entry: Entry, texts: ScannedText[]): Record<string, unknown> {
    const node = this.r.deref(entry.value, entry.path);
    const collect = (current: Found, path: string): void => {
      const value = this.r.deref(current, path);
      if (!value) return;
      if (isScalar(value) && typeof value.value === 'string') texts.push({ value: value.value, node: value, path });
      else if (isMap(value)) for (const e of this.r.mapEntries(value, path, 'Configuration') ?? []) collect(e.value, e.path);
      else if (isSeq(value)) value.items.forEach((item, i) => collect(item as Found, `${path}[${i}]`));
    };
    collect(node, entry.path);
    const data = this.r.toData(node);
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  }

  // --- cross-action checks --------------------------------------------------------------------------------------

  /** Resolves declared and implied dependencies, checks references, artifacts and cycles, and builds the graph. */
  private resolveDependencies(): Workflow['graph'] | undefined {
    const r = this.r;
    const byName = new Map<string, ActionDraft>();
    for (const draft of this.drafts) {
      const name = draft.action.name;
      if (byName.has(name) || this.groups.has(name)) {
        r.error('duplicate', draft.keyNode, draft.action.path, `"${name}" is used twice: action and group names must be unique in the workflow, across groups too`);
        continue;
      }
      byName.set(name, draft);
    }
    const names = [...byName.keys()];
    const deps = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
    const reasons: EdgeReasons = new Map();
    const addEdge = (from: string, to: string, reason: string): void => {
      deps.get(from)?.add(to);
      const key = `${from}\u0000${to}`;
      if (!reasons.has(key)) reasons.set(key, reason);
    };

    // Declared DependsOn
    for (const draft of byName.values()) {
      const self = draft.action.name;
      for (const dep of draft.declared) {
        const where = dep.fromGroup ? ` (DependsOn of its group ${dep.fromGroup})` : '';
        if (byName.has(dep.value)) {
          if (dep.value === self) r.error('dependency-cycle', dep.node, dep.path, `the action ${self} depends on itself: remove ${self} from its DependsOn`);
          else addEdge(self, dep.value, 'DependsOn');
        } else if (this.groups.has(dep.value)) {
          if (draft.action.groupPath.includes(dep.value)) {
            r.error('dependency-cycle', dep.node, dep.path, `the action ${self} depends on its own group ${dep.value}${where}: depend on the actions of the group it must wait for instead`);
            continue;
          }
          for (const member of this.groups.get(dep.value)!.names) addEdge(self, member, `DependsOn ${dep.value}`);
        } else {
          if (dep.fromGroup && this.groups.get(dep.fromGroup)!.names[0] !== self) continue; // report a group's unknown dependency once
          const suggestion = nearMiss(dep.value, [...names, ...this.groups.keys()]);
          r.error(
            'unknown-dependency',
            dep.node,
            dep.path,
            `DependsOn names "${dep.value}", which is neither an action nor an action group of this workflow${suggestion ? `: did you mean "${suggestion}"?` : ` (actions: ${names.join(', ')})`}`,
          );
        }
      }
    }

    // Variable references
    for (const draft of byName.values()) {
      for (const text of draft.texts) this.checkReferences(draft, text, byName, addEdge);
    }

    // Artifacts: each produced by one action; consuming one waits for its producer
    const producers = new Map<string, ActionDraft>();
    for (const draft of byName.values()) {
      for (const artifact of draft.outputArtifacts) {
        const other = producers.get(artifact.value);
        if (other && other !== draft) {
          r.error('duplicate', artifact.node, artifact.path, `the artifact ${artifact.value} is also output by ${other.action.name}: artifact names must be unique in the workflow`);
        } else producers.set(artifact.value, draft);
      }
    }
    for (const draft of byName.values()) {
      for (const artifact of draft.inputArtifacts) {
        const producer = producers.get(artifact.value);
        if (!producer) {
          const suggestion = nearMiss(artifact.value, [...producers.keys()]);
          r.error('unknown-artifact', artifact.node, artifact.path, `no action outputs an artifact named "${artifact.value}"${suggestion ? `: did you mean "${suggestion}"?` : ': add it to the Outputs.Artifacts of the action that builds it'}`);
        } else if (producer === draft) {
          r.error('dependency-cycle', artifact.node, artifact.path, `the action ${draft.action.name} takes its own output artifact ${artifact.value} as input`);
        } else {
          addEdge(draft.action.name, producer.action.name, `input artifact ${artifact.value}`);
        }
      }
    }

    const dependencies: Record<string, string[]> = {};
    for (const [name, set] of deps) dependencies[name] = [...set].sort();
    const cycle = findDependencyCycle(names, dependencies);
    if (cycle) {
      const steps = cycle.slice(0, -1).map((from, i) => {
        const to = cycle[i + 1]!;
        const reason = reasons.get(`${from}\u0000${to}`);
        return reason && reason !== 'DependsOn' ? `${from} → ${to} (${reason})` : `${from} → ${to}`;
      });
      const first = byName.get(cycle[0]!)!;
      r.error('dependency-cycle', first.keyNode, first.action.path, `the actions wait for each other in a cycle: ${steps.join(', ')}; no action of the cycle could ever start: remove one of these dependencies`);
      return undefined;
    }
    for (const draft of byName.values()) draft.action.dependsOn = dependencies[draft.action.name]!;
    if (this.drafts.length !== byName.size) return undefined;
    return buildWorkflowGraph(names, dependencies);
  }

  private checkReferences(draft: ActionDraft, text: ScannedText, byName: ReadonlyMap<string, ActionDraft>, addEdge: (from: string, to: string, reason: string) => void): void {
    const r = this.r;
    for (const match of text.value.matchAll(REFERENCE)) {
      const [whole, target, variable] = match as unknown as [string, string, string];
      const at = r.offsetOf(text.node, whole) ?? text.node;
      if (target === 'Secrets') continue; // resolved at run time
      if (target === 'WorkflowSource') {
        if (!WORKFLOW_SOURCE_VARIABLES.includes(variable)) {
          r.error('unknown-variable', at, text.path, `${whole}: WorkflowSource has the variables ${WORKFLOW_SOURCE_VARIABLES.join(' and ')}`);
        }
        continue;
      }
      const parts = target.split('.');
      let actionName: string;
      if (parts.length === 1) {
        actionName = parts[0]!;
        if (this.groups.has(actionName) && !byName.has(actionName)) {
          const members = this.groups.get(actionName)!.names;
          r.error('unknown-variable', at, text.path, `${whole}: ${actionName} is an action group; name one of its actions: \${${actionName}.${members[0] ?? 'Action'}.${variable}}`);
          continue;
        }
      } else if (parts.length === 2) {
        const [group, action] = parts as [string, string];
        if (!this.groups.get(group)?.names.includes(action)) {
          r.error('unknown-variable', at, text.path, this.groups.has(group) ? `${whole}: the action group ${group} has no action ${action}` : `${whole}: ${group} is not an action group of this workflow`);
          continue;
        }
        actionName = action;
      } else {
        r.error('unknown-variable', at, text.path, `${whole} is not a variable reference: write \${Action.Variable} or \${Group.Action.Variable}`);
        continue;
      }
      const producer = byName.get(actionName);
      if (!producer) {
        const suggestion = nearMiss(actionName, [...byName.keys(), 'WorkflowSource', 'Secrets']);
        r.error('unknown-variable', at, text.path, `${whole} names "${actionName}", which is not an action of this workflow${suggestion ? `: did you mean "${suggestion}"?` : ''} (references are \${Action.Variable}, \${WorkflowSource.CommitId}, \${WorkflowSource.BranchName} or \${Secrets.name})`);
        continue;
      }
      if (producer === draft) {
        r.error('dependency-cycle', at, text.path, `${whole}: the action ${actionName} cannot use its own output variable (it only exists after the action ends)`);
        continue;
      }
      if (producer.action.kind !== 'unsupported' && !producer.action.outputs.variables.includes(variable)) {
        const declared = producer.action.outputs.variables;
        r.error(
          'unknown-variable',
          at,
          text.path,
          `${whole}: the action ${actionName} has no output variable ${variable}${declared.length > 0 ? ` (its Outputs.Variables: ${declared.join(', ')})` : `: list it under Outputs.Variables of ${actionName}`}`,
        );
        continue;
      }
      addEdge(draft.action.name, actionName, `uses ${whole}`);
    }
  }
}

function unsupportedHint(identifier: string): string {
  if (/^aws\/(cdk|cfn)-/.test(identifier) || /^aws\/(s3|ecs|eks|lambda)/.test(identifier)) {
    return ' (run the deployment from an aws/build@v1 step instead, e.g. - Run: npx ampx pipeline-deploy ...)';
  }
  if (/^aws\/github-actions-runner@/.test(identifier)) return ' (GitHub Actions steps do not run on Gantry: write the commands as aws/build@v1 steps)';
  return '';
}
