/**
 * Reads an `amplify.yml` build spec into the typed `BuildSpec`.
 *
 * Lenient about YAML, strict about structure:
 * - YAML 1.1 is the default (as Amplify's own parser reads these files): `discard-paths: yes`, unquoted
 *   `version: 1` / `version: 0.1`, anchors, aliases and `<<` merge keys all work. Environment variable values,
 *   paths and header values keep the text as written (`PORT: 0755` stays `"0755"`).
 * - Wrong types are errors; a non-string in `commands` is an error that says how YAML read it and how to quote it.
 * - Unknown keys are errors where a mistake would silently drop commands (phase names, keys inside a phase) or
 *   when they look like a typo of a known key (`prebuild`, `basedirectory`, `comands`); elsewhere they are
 *   warnings and ignored. Keys starting with `x-` or `.` are free for anchors and never reported.
 * - Paths that leave the repository are errors; absolute cache paths are dropped with a warning, as Amplify
 *   documents that it silently does not cache them.
 *
 * Every error found is reported in one `GantryError` (`ValidationError`, 400) whose message has one
 * `file:line:column: path: message` line per problem.
 */
import {
  Alias,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type YAMLError,
} from 'yaml';
import { buildSpecError } from './build-spec-issues.ts';
import {
  BUILD_PHASE_NAMES,
  TEST_PHASE_NAMES,
  type ApplicationSpec,
  type ArtifactsSpec,
  type BackendSpec,
  type BuildPhase,
  type BuildPhases,
  type BuildSpec,
  type BuildSpecIssue,
  type BuildSpecIssueCode,
  type CacheSpec,
  type CustomHeaderRule,
  type EnvSpec,
  type FrontendSpec,
  type TestArtifactsSpec,
  type TestPhases,
  type TestSpec,
} from './build-spec-types.ts';
import {
  APPLICATION,
  ARTIFACTS,
  BACKEND,
  BUILD_PHASES,
  CACHE,
  ENV,
  ENV_NAME,
  FRONTEND,
  HEADER,
  HEADER_NAME,
  HEADER_RULE,
  listOf,
  nearMiss,
  PHASE,
  TEST,
  TEST_ARTIFACTS,
  TEST_PHASES,
  TOP_LEVEL,
  YAML_11_BOOLEANS,
  type LevelRule,
} from './spec-key-rules.ts';
import { checkAppRoot, checkBaseDirectory, checkBuildPath, checkCachePath, checkFileGlob } from './spec-paths.ts';

export interface ParsedBuildSpec {
  spec: BuildSpec;
  /** Problems that do not stop the build (ignored keys, unsupported features, dropped cache paths). */
  warnings: BuildSpecIssue[];
}

/**
 * Parses and validates a build spec.
 * @param text the file's content (YAML, or JSON as the Amplify API's `buildSpec` field sometimes holds)
 * @param file the name used in messages
 * @throws GantryError `ValidationError` listing every error with its position
 * @example
 * const { spec, warnings } = parseBuildSpec(await readFile('amplify.yml', 'utf8'));
 */
export function parseBuildSpec(text: string, file = 'amplify.yml'): ParsedBuildSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', merge: true, uniqueKeys: true, prettyErrors: false, lineCounter });
  const reader = new SpecReader(text, file, lineCounter, doc);

  if (doc.errors.length > 0) {
    reader.yamlErrors(doc.errors);
    reader.throwIfErrors();
  }
  for (const warning of doc.warnings) reader.issue('warning', 'yaml-warning', warning.pos[0], '', warning.message);

  const spec = reader.readSpec(doc.contents);
  reader.throwIfErrors();
  return { spec: spec!, warnings: reader.warnings() };
}

// ---------------------------------------------------------------------------------------------------------------
// The reader: walks the YAML tree with positions and collects issues

interface Entry {
  key: string;
  keyNode: YamlNode;
  value: YamlNode | null;
  path: string;
}

type Found = YamlNode | null | undefined;

interface Defaults {
  env: EnvSpec;
  customHeaders?: CustomHeaderRule[];
}

class SpecReader {
  private readonly issues: BuildSpecIssue[] = [];

  constructor(
    private readonly content: string,
    private readonly file: string,
    private readonly lineCounter: LineCounter,
    private readonly doc: Document.Parsed,
  ) {}

  // --- issues ---------------------------------------------------------------------------------------------------

  issue(severity: BuildSpecIssue['severity'], code: BuildSpecIssueCode, at: Found | number, path: string, message: string): void {
    const offset = typeof at === 'number' ? at : (at?.range?.[0] ?? 0);
    const { line, col } = this.lineCounter.linePos(offset);
    this.issues.push({ severity, code, file: this.file, line, column: col, path, message });
  }

  error(code: BuildSpecIssueCode, at: Found | number, path: string, message: string): void {
    this.issue('error', code, at, path, message);
  }

  warn(code: BuildSpecIssueCode, at: Found | number, path: string, message: string): void {
    this.issue('warning', code, at, path, message);
  }

  warnings(): BuildSpecIssue[] {
    return this.issues.filter((issue) => issue.severity === 'warning').sort((a, b) => a.line - b.line || a.column - b.column);
  }

  throwIfErrors(): void {
    const errors = this.issues
      .filter((issue) => issue.severity === 'error')
      .sort((a, b) => a.line - b.line || a.column - b.column);
    if (errors.length > 0) throw buildSpecError(this.file, errors, this.content);
  }

  /**
   * Reports the first YAML syntax error only: the ones after it are nearly always consequences of it (the
   * parser lost its place), and would point at lines that are fine.
   */
  yamlErrors(errors: readonly YAMLError[]): void {
    const [first] = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
    if (!first) return;
    const offset = first.pos[0];
    const { line } = this.lineCounter.linePos(offset);
    const sourceLine = this.content.split(/\r?\n/)[line - 1] ?? '';
    const more = errors.length > 1 ? ' (fix this first: the YAML after it could not be read)' : '';
    this.error('yaml-syntax', offset, '', `invalid YAML: ${first.message}${yamlHint(first.code, sourceLine)}${more}`);
  }

  // --- primitive readers ----------------------------------------------------------------------------------------

  /**
   * Follows aliases. `null` for an absent value; `undefined` for an alias whose anchor does not exist (reported
   * here, so callers just skip it).
   */
  deref(node: Found, path: string): YamlNode | null | undefined {
    let current: Found = node;
    for (let hops = 0; current && isAlias(current); hops++) {
      const alias: Alias = current;
      const target = hops > 64 ? undefined : alias.resolve(this.doc);
      if (!target) {
        const written = this.sourceOf(alias);
        this.error(
          'invalid-value',
          alias,
          path,
          written.startsWith('*') && written.includes('/')
            ? `YAML reads ${written} as an alias because it starts with "*": quote it, e.g. '${written}'`
            : `the alias ${written} refers to no anchor: define it with &${alias.source} first, or quote the value if it is text`,
        );
        return undefined;
      }
      current = target;
    }
    return current ?? null;
  }

  private sourceOf(node: YamlNode): string {
    const range = node.range;
    if (!range) return '';
    return this.content.slice(range[0], range[1]).trim();
  }

  /** The entries of a mapping (merge keys expanded), or `undefined` after reporting a wrong type. Empty values read as `{}`. */
  mapEntries(node: Found, path: string, what: string): Entry[] | undefined {
    const value = this.deref(node, path);
    if (value === undefined) return undefined;
    if (value === null || isNull(value)) return [];
    if (!isMap(value)) {
      this.error('wrong-type', value, path, `expected ${what} (a mapping of "key: value" lines), found ${describe(value)}`);
      return undefined;
    }
    const entries: Entry[] = [];
    const merged: Entry[] = [];
    for (const pair of value.items) {
      const keyNode = pair.key as YamlNode | null;
      if (isScalar(keyNode) && isMergeKey(keyNode.value)) {
        this.collectMerge(pair.value as Found, path, what, merged);
        continue;
      }
      const key = this.keyText(keyNode, path);
      if (key === undefined) continue;
      entries.push({ key, keyNode: keyNode!, value: (pair.value as YamlNode | null) ?? null, path: join(path, key) });
    }
    for (const entry of merged) if (!entries.some((e) => e.key === entry.key)) entries.push(entry);
    return entries;
  }

  private collectMerge(source: Found, path: string, what: string, into: Entry[]): void {
    const value = this.deref(source, path);
    if (value === undefined) return;
    const sources = value && isSeq(value) ? value.items.map((item) => this.deref(item as Found, path)) : [value];
    for (const item of sources) {
      if (item === undefined) continue;
      if (!item || !isMap(item)) {
        this.error('wrong-type', item ?? source, path, `a "<<" merge key needs a mapping (or a list of mappings) to merge, found ${describe(item)}`);
        continue;
      }
      for (const entry of this.mapEntries(item, path, what) ?? []) {
        if (!into.some((e) => e.key === entry.key)) into.push(entry);
      }
    }
  }

  private keyText(keyNode: YamlNode | null, path: string): string | undefined {
    if (isScalar(keyNode) && keyNode.value !== null && typeof keyNode.value !== 'object') {
      return typeof keyNode.value === 'string' ? keyNode.value : (keyNode.source ?? String(keyNode.value));
    }
    this.error('wrong-type', keyNode, path, `keys must be plain names, found ${describe(keyNode)} used as a key`);
    return undefined;
  }

  /** Checks keys against a level's rule; returns the recognised entries by canonical name. */
  checkKeys(entries: readonly Entry[], rule: LevelRule): Map<string, Entry> {
    const recognised = new Map<string, Entry>();
    const spelled = new Map<string, string>();
    for (const entry of entries) {
      const canonical = rule.known.includes(entry.key) ? entry.key : rule.aliases?.[entry.key];
      if (canonical !== undefined) {
        const earlier = spelled.get(canonical);
        if (earlier !== undefined) {
          this.error('duplicate', entry.keyNode, entry.path, `"${earlier}" and "${entry.key}" are the same key in ${rule.what}: keep one`);
        } else {
          recognised.set(canonical, entry);
          spelled.set(canonical, entry.key);
        }
        continue;
      }
      const ignored = rule.ignored?.[entry.key];
      if (ignored !== undefined) {
        this.warn('unsupported', entry.keyNode, entry.path, ignored);
        continue;
      }
      const misplaced = rule.misplaced?.[entry.key];
      if (misplaced !== undefined) {
        this.error('misplaced-key', entry.keyNode, entry.path, misplaced);
        continue;
      }
      const suggestion = nearMiss(entry.key, [...rule.known, ...Object.keys(rule.aliases ?? {})]);
      if (suggestion !== undefined) {
        const caseOnly = suggestion.toLowerCase() === entry.key.toLowerCase();
        this.error(
          'unknown-key',
          entry.keyNode,
          entry.path,
          `unknown key "${entry.key}" in ${rule.what}: did you mean "${suggestion}"?${caseOnly ? ' Keys are case-sensitive.' : ''}`,
        );
        continue;
      }
      const expected = `expected ${listOf(rule.known)}`;
      if (rule.unknown === 'error') {
        this.error('unknown-key', entry.keyNode, entry.path, `unknown key "${entry.key}" in ${rule.what}: ${expected}`);
      } else if (!entry.key.startsWith('x-') && !entry.key.startsWith('.')) {
        this.warn('unknown-key', entry.keyNode, entry.path, `unknown key "${entry.key}" in ${rule.what} is ignored (${expected})`);
      }
    }
    return recognised;
  }

  /**
   * A text value. Plain scalars that YAML typed as numbers, booleans or dates give back their text as written,
   * so `baseDirectory: 2024` is `"2024"`.
   */
  text(entry: Entry | undefined, what: string, options: { allowEmpty?: boolean } = {}): string | undefined {
    if (!entry) return undefined;
    const node = this.deref(entry.value, entry.path);
    if (node === undefined) return undefined;
    if (node === null || isNull(node)) {
      if (options.allowEmpty) return '';
      this.error('invalid-value', node ?? entry.keyNode, entry.path, `${entry.key} is empty: give ${what}`);
      return undefined;
    }
    if (isScalar(node)) return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
    this.error('wrong-type', node, entry.path, `expected ${what} (a string), found ${describe(node)}`);
    return undefined;
  }

  /** A list of text values (globs, paths). A lone string is an error that shows the list form. */
  textList(entry: Entry | undefined, what: string, example: string): string[] | undefined {
    if (!entry) return undefined;
    const node = this.deref(entry.value, entry.path);
    if (node === undefined) return undefined;
    if (node === null || isNull(node)) {
      this.error('invalid-value', node ?? entry.keyNode, entry.path, `${entry.key} is empty: list ${what}, e.g.\n      ${entry.key}:\n        - ${example}`);
      return undefined;
    }
    if (!isSeq(node)) {
      const single = isScalar(node) ? `${entry.key}:\n        - ${quoteIfNeeded(scalarText(node))}` : `${entry.key}:\n        - ${example}`;
      this.error('wrong-type', node, entry.path, `expected a list of ${what}, found ${describe(node)}: write one item per "- " line, e.g.\n      ${single}`);
      return undefined;
    }
    const values: string[] = [];
    node.items.forEach((raw, index) => {
      const path = `${entry.path}[${index}]`;
      const item = this.deref(raw as Found, path);
      if (item === undefined) return;
      if (item === null || isNull(item)) {
        this.error('invalid-value', item ?? (raw as Found) ?? node, path, `empty list item: remove the lone "-" or write ${what} after it`);
      } else if (isScalar(item)) {
        values.push(typeof item.value === 'string' ? item.value : (item.source ?? String(item.value)));
      } else {
        this.error('wrong-type', item, path, `expected ${what} (a string), found ${describe(item)}: quote it, e.g. - ${quoteIfNeeded(this.sourceOf(item))}`);
      }
    });
    return values;
  }

  // --- structure ------------------------------------------------------------------------------------------------

  readSpec(contents: Found): BuildSpec | undefined {
    const root = this.deref(contents, '');
    if (root === undefined) return undefined;
    if (root === null || isNull(root)) {
      this.error('empty', root ?? 0, '', 'the build spec is empty: it needs at least "version: 1" and a frontend (or backend) section');
      return undefined;
    }
    const entries = this.mapEntries(root, '', 'a build spec');
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, TOP_LEVEL);

    const version = this.readVersion(keys.get('version'), root);
    const env = this.readEnv(keys.get('env')) ?? { variables: {} };
    const customHeaders = this.readCustomHeaders(keys.get('customHeaders'));
    const spec: BuildSpec = { file: this.file, version, env, customHeaders: customHeaders ?? [] };

    const applications = keys.get('applications');
    if (applications) {
      for (const section of ['backend', 'frontend', 'test'] as const) {
        const misplaced = keys.get(section);
        if (misplaced) {
          this.error(
            'misplaced-key',
            misplaced.keyNode,
            misplaced.path,
            `a spec with applications declares ${section} inside each application: move it into the application it belongs to (applications[].${section})`,
          );
        }
      }
      const appRoot = keys.get('appRoot');
      if (appRoot) this.warn('ignored', appRoot.keyNode, appRoot.path, 'a top-level appRoot is ignored when applications are declared: each application has its own appRoot');
      spec.applications = this.readApplications(applications, { env, customHeaders });
      return spec;
    }

    const appRoot = keys.get('appRoot');
    if (appRoot) {
      this.warn('ignored', appRoot.keyNode, appRoot.path, 'appRoot is ignored unless the spec declares applications (a monorepo spec): the build runs from the repository root');
    }
    const backend = this.readBackend(keys.get('backend'));
    const frontend = this.readFrontend(keys.get('frontend'), '.');
    const test = this.readTest(keys.get('test'), '.');
    if (backend) spec.backend = backend;
    if (frontend) spec.frontend = frontend;
    if (test) spec.test = test;
    if (!backend && !frontend && !test) {
      this.warn('missing-key', root, '', 'the build spec has no backend, frontend or test section: a job would run no commands and publish nothing');
    }
    return spec;
  }

  private readVersion(entry: Entry | undefined, root: YamlNode): number {
    if (!entry) {
      this.warn('missing-key', root, 'version', 'version is missing: add "version: 1" at the top of the file (read as version 1)');
      return 1;
    }
    const node = this.deref(entry.value, entry.path);
    if (node === undefined) return 1;
    let version: number | undefined;
    if (isScalar(node) && typeof node.value === 'number') version = node.value;
    else if (isScalar(node) && typeof node.value === 'string' && /^\d+(\.\d+)?$/.test(node.value.trim())) version = Number(node.value);
    if (version === undefined) {
      this.error('wrong-type', node ?? entry.keyNode, entry.path, `expected a version number such as 1, found ${describe(node)}`);
      return 1;
    }
    if (version !== 1 && version !== 0.1) {
      this.warn('invalid-value', node, entry.path, `version ${version} is not a documented build spec version (1, or 0.1 in older specs): read as version 1`);
    }
    return version;
  }

  private readEnv(entry: Entry | undefined): EnvSpec | undefined {
    if (!entry) return undefined;
    const entries = this.mapEntries(entry.value, entry.path, 'env');
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, ENV);
    const variables: Record<string, string> = {};
    const declared = keys.get('variables');
    if (declared) {
      for (const variable of this.mapEntries(declared.value, declared.path, 'environment variables') ?? []) {
        if (!ENV_NAME.test(variable.key)) {
          this.error(
            'invalid-value',
            variable.keyNode,
            variable.path,
            `"${variable.key}" is not a valid environment variable name: use letters, digits and underscores, not starting with a digit`,
          );
          continue;
        }
        const node = this.deref(variable.value, variable.path);
        if (node === undefined) continue;
        if (node === null || isNull(node)) {
          this.warn('invalid-value', node ?? variable.keyNode, variable.path, `${variable.key} has no value: it is set to the empty string (write ${variable.key}: '' to say so)`);
          variables[variable.key] = '';
          continue;
        }
        const value = this.text(variable, 'the variable\'s value');
        if (value === undefined) continue;
        if (variable.key.startsWith('AWS_')) {
          this.warn(
            'invalid-value',
            variable.keyNode,
            variable.path,
            `${variable.key} starts with AWS_, a prefix reserved for variables the build sets itself (AWS_APP_ID, AWS_BRANCH, ...): the spec's value overrides it`,
          );
        }
        variables[variable.key] = value;
      }
    }
    return { variables };
  }

  private readApplications(entry: Entry, defaults: Defaults): ApplicationSpec[] {
    const node = this.deref(entry.value, entry.path);
    if (node === undefined) return [];
    if (!isSeq(node)) {
      this.error('wrong-type', node ?? entry.keyNode, entry.path, `expected a list of applications (each "- appRoot: ..."), found ${describe(node)}`);
      return [];
    }
    if (node.items.length === 0) {
      this.error('invalid-value', node, entry.path, 'applications is empty: list at least one application, e.g.\n      applications:\n        - appRoot: apps/web\n          frontend: ...');
      return [];
    }
    const applications: ApplicationSpec[] = [];
    const seen = new Map<string, string>();
    node.items.forEach((raw, index) => {
      const path = `${entry.path}[${index}]`;
      const application = this.readApplication(raw as Found, path, defaults);
      if (!application) return;
      const earlier = seen.get(application.appRoot);
      if (earlier !== undefined) {
        this.error('duplicate', raw as Found, `${path}.appRoot`, `appRoot "${application.appRoot}" is already used by ${earlier}: each application needs its own appRoot`);
        return;
      }
      seen.set(application.appRoot, path);
      applications.push(application);
    });
    return applications;
  }

  private readApplication(raw: Found, path: string, defaults: Defaults): ApplicationSpec | undefined {
    const entries = this.mapEntries(raw, path, 'an application');
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, APPLICATION);
    const appRootEntry = keys.get('appRoot');
    if (!appRootEntry) {
      this.error('missing-key', raw, path, 'this application has no appRoot: add "appRoot: <directory of the app in the repository>", e.g. appRoot: apps/web');
      return undefined;
    }
    const written = this.text(appRootEntry, 'the application directory, e.g. apps/web');
    if (written === undefined) return undefined;
    const checked = checkAppRoot(written);
    if (!checked.ok) {
      this.error('path-outside', appRootEntry.value ?? appRootEntry.keyNode, appRootEntry.path, checked.problem);
      return undefined;
    }
    const appRoot = checked.path;
    const env = this.readEnv(keys.get('env'));
    const customHeaders = this.readCustomHeaders(keys.get('customHeaders'));
    const application: ApplicationSpec = {
      appRoot,
      env: { variables: { ...defaults.env.variables, ...env?.variables } },
      customHeaders: customHeaders ?? defaults.customHeaders ?? [],
    };
    const backend = this.readBackend(keys.get('backend'));
    const frontend = this.readFrontend(keys.get('frontend'), appRoot);
    const test = this.readTest(keys.get('test'), appRoot);
    if (backend) application.backend = backend;
    if (frontend) application.frontend = frontend;
    if (test) application.test = test;
    if (!backend && !frontend && !test) {
      this.warn('missing-key', raw, path, `application ${appRoot} has no backend, frontend or test section: its jobs would run nothing`);
    }
    return application;
  }

  private readBackend(entry: Entry | undefined): BackendSpec | undefined {
    if (!entry) return undefined;
    const entries = this.mapEntries(entry.value, entry.path, 'backend');
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, BACKEND);
    return { phases: this.readBuildPhases(keys.get('phases'), 'backend') };
  }

  private readFrontend(entry: Entry | undefined, appRoot: string): FrontendSpec | undefined {
    if (!entry) return undefined;
    const entries = this.mapEntries(entry.value, entry.path, 'frontend');
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, FRONTEND);
    const frontend: FrontendSpec = { phases: this.readBuildPhases(keys.get('phases'), 'frontend'), cache: { paths: [] } };

    let base = appRoot;
    const buildPathEntry = keys.get('buildPath');
    const buildPath = this.text(buildPathEntry, 'the directory to build from, relative to the repository root ("/" for the root)');
    if (buildPathEntry && buildPath !== undefined) {
      const checked = checkBuildPath(buildPath);
      if (checked.ok) {
        frontend.buildPath = buildPath;
        base = checked.path;
      } else {
        this.error('path-outside', buildPathEntry.value ?? buildPathEntry.keyNode, buildPathEntry.path, checked.problem);
      }
    }

    const artifactsEntry = keys.get('artifacts');
    const artifacts = this.readArtifacts(artifactsEntry, base);
    if (artifacts) frontend.artifacts = artifacts;
    else if (!artifactsEntry) {
      this.warn(
        'missing-key',
        entry.keyNode,
        entry.path,
        "frontend has no artifacts: the job publishes nothing. Add e.g.\n      artifacts:\n        baseDirectory: dist\n        files:\n          - '**/*'",
      );
    }
    frontend.cache = this.readCache(keys.get('cache'), base);
    return frontend;
  }

  private readTest(entry: Entry | undefined, appRoot: string): TestSpec | undefined {
    if (!entry) return undefined;
    const entries = this.mapEntries(entry.value, entry.path, 'test');
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, TEST);
    const test: TestSpec = { phases: this.readTestPhases(keys.get('phases')) };
    const artifacts = this.readTestArtifacts(keys.get('artifacts'), appRoot);
    if (artifacts) test.artifacts = artifacts;
    return test;
  }

  private readBuildPhases(entry: Entry | undefined, section: 'backend' | 'frontend'): BuildPhases {
    const phases: BuildPhases = {};
    if (!entry) return phases;
    const entries = this.mapEntries(entry.value, entry.path, `${section}.phases`);
    if (!entries) return phases;
    const keys = this.checkKeys(entries, BUILD_PHASES(section));
    for (const name of BUILD_PHASE_NAMES) {
      const phase = this.readPhase(keys.get(name));
      if (phase) phases[name] = phase;
    }
    return phases;
  }

  private readTestPhases(entry: Entry | undefined): TestPhases {
    const phases: TestPhases = {};
    if (!entry) return phases;
    const entries = this.mapEntries(entry.value, entry.path, 'test.phases');
    if (!entries) return phases;
    const keys = this.checkKeys(entries, TEST_PHASES);
    for (const name of TEST_PHASE_NAMES) {
      const phase = this.readPhase(keys.get(name));
      if (phase) phases[name] = phase;
    }
    return phases;
  }

  private readPhase(entry: Entry | undefined): BuildPhase | undefined {
    if (!entry) return undefined;
    const entries = this.mapEntries(entry.value, entry.path, `the ${entry.key} phase`);
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, { ...PHASE, what: `the ${entry.key} phase` });
    return { commands: this.readCommands(keys.get('commands')) };
  }

  private readCommands(entry: Entry | undefined): string[] {
    if (!entry) return [];
    const node = this.deref(entry.value, entry.path);
    if (node === undefined || node === null || isNull(node)) return [];
    if (!isSeq(node)) {
      const example = isScalar(node) ? quoteIfNeeded(scalarText(node)) : 'npm ci';
      this.error('wrong-type', node, entry.path, `expected a list of commands, found ${describe(node)}: write each command on its own "- " line, e.g.\n      commands:\n        - ${example}`);
      return [];
    }
    const commands: string[] = [];
    node.items.forEach((raw, index) => {
      const path = `${entry.path}[${index}]`;
      const item = this.deref(raw as Found, path);
      if (item === undefined) return;
      if (item === null || isNull(item)) {
        this.error('invalid-value', item ?? (raw as Found) ?? node, path, 'empty list item: remove the lone "-" or write a command after it');
        return;
      }
      if (isScalar(item) && typeof item.value === 'string') {
        if (item.value.trim() === '') this.warn('ignored', item, path, 'empty command ignored');
        else commands.push(item.value);
        return;
      }
      this.error('wrong-type', item, path, this.commandTypeMessage(item));
    });
    return commands;
  }

  private commandTypeMessage(item: YamlNode): string {
    const written = this.sourceOf(item);
    const fix = suggestQuoted(written);
    if (isMap(item)) {
      return `expected a string (a shell command), found a mapping: YAML reads "${firstLine(written)}" as "key: value" because of the ": " in it. ${fix}`;
    }
    if (isSeq(item)) {
      return `expected a string (a shell command), found a list: YAML reads "${firstLine(written)}" as a list because it starts with "[". ${fix}`;
    }
    return `expected a string (a shell command), found ${describe(item)}. ${fix}`;
  }

  private readArtifacts(entry: Entry | undefined, base: string): ArtifactsSpec | undefined {
    if (!entry) return undefined;
    const entries = this.mapEntries(entry.value, entry.path, 'frontend.artifacts');
    if (!entries) return undefined;
    if (entries.length === 0) {
      this.error('invalid-value', entry.value ?? entry.keyNode, entry.path, "artifacts is empty: give baseDirectory and files, e.g.\n      baseDirectory: dist\n      files:\n        - '**/*'");
      return undefined;
    }
    const keys = this.checkKeys(entries, ARTIFACTS);
    const artifacts: ArtifactsSpec = { baseDirectory: '/', files: ['**/*'], discardPaths: false };

    const baseEntry = keys.get('baseDirectory');
    if (baseEntry) {
      const written = this.text(baseEntry, 'the directory holding the build output, e.g. dist');
      if (written !== undefined) {
        const checked = checkBaseDirectory(base, written);
        if (checked.ok) artifacts.baseDirectory = written;
        else this.error('path-outside', baseEntry.value ?? baseEntry.keyNode, baseEntry.path, checked.problem);
      }
    } else {
      this.warn(
        'missing-key',
        entry.keyNode,
        join(entry.path, 'baseDirectory'),
        `artifacts has no baseDirectory: everything under ${base === '.' ? 'the repository root' : base} is published; set the build output directory, e.g. baseDirectory: dist`,
      );
    }

    const files = this.readGlobs(keys.get('files'));
    if (files) artifacts.files = files;

    const discard = keys.get('discard-paths');
    if (discard) artifacts.discardPaths = this.readBoolean(discard);

    const name = this.text(keys.get('name'), 'an artifact name');
    if (name !== undefined) artifacts.name = name;
    return artifacts;
  }

  private readTestArtifacts(entry: Entry | undefined, base: string): TestArtifactsSpec | undefined {
    if (!entry) return undefined;
    const entries = this.mapEntries(entry.value, entry.path, 'test.artifacts');
    if (!entries) return undefined;
    const keys = this.checkKeys(entries, TEST_ARTIFACTS);
    const artifacts: TestArtifactsSpec = { files: ['**/*'] };
    const baseEntry = keys.get('baseDirectory');
    const written = this.text(baseEntry, 'the directory holding the test reports, e.g. cypress');
    if (baseEntry && written !== undefined) {
      const checked = checkBaseDirectory(base, written);
      if (checked.ok) artifacts.baseDirectory = written;
      else this.error('path-outside', baseEntry.value ?? baseEntry.keyNode, baseEntry.path, checked.problem);
    }
    const files = this.readGlobs(keys.get('files'));
    if (files) artifacts.files = files;
    const configEntry = keys.get('configFilePath');
    const configFilePath = this.text(configEntry, "the test report's path, e.g. '**/mochawesome.json'");
    if (configEntry && configFilePath !== undefined) {
      const checked = checkFileGlob(configFilePath);
      if (checked.ok) artifacts.configFilePath = configFilePath;
      else this.error('path-outside', configEntry.value ?? configEntry.keyNode, configEntry.path, `configFilePath ${checked.problem}`);
    }
    return artifacts;
  }

  private readGlobs(entry: Entry | undefined): string[] | undefined {
    const values = this.textList(entry, 'file globs', "'**/*'");
    if (!entry || values === undefined) return undefined;
    const node = this.deref(entry.value, entry.path) ?? null;
    const globs: string[] = [];
    values.forEach((glob, index) => {
      const checked = checkFileGlob(glob);
      if (checked.ok) globs.push(glob);
      else this.error('path-outside', isSeq(node) ? (node.items[index] as Found) : node, `${entry.path}[${index}]`, checked.problem);
    });
    return globs;
  }

  private readBoolean(entry: Entry): boolean {
    const node = this.deref(entry.value, entry.path);
    if (node === undefined) return false;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    if (isScalar(node) && typeof node.value === 'string') {
      const known = YAML_11_BOOLEANS[node.value.trim().toLowerCase()];
      if (known !== undefined) return known;
    }
    this.error('wrong-type', node ?? entry.keyNode, entry.path, `expected yes or no (true or false), found ${describe(node)}`);
    return false;
  }

  private readCache(entry: Entry | undefined, base: string): CacheSpec {
    const cache: CacheSpec = { paths: [] };
    if (!entry) return cache;
    const entries = this.mapEntries(entry.value, entry.path, 'frontend.cache');
    if (!entries) return cache;
    const keys = this.checkKeys(entries, CACHE);
    const pathsEntry = keys.get('paths');
    if (!pathsEntry) return cache;
    const pathsNode = this.deref(pathsEntry.value, pathsEntry.path);
    if (pathsNode === undefined || pathsNode === null || isNull(pathsNode)) return cache;
    const values = this.textList(pathsEntry, 'cache paths', 'node_modules/**/*') ?? [];
    values.forEach((pattern, index) => {
      const path = `${pathsEntry.path}[${index}]`;
      const at = isSeq(pathsNode) ? (pathsNode.items[index] as Found) : pathsNode;
      const checked = checkCachePath(base, pattern);
      if (checked.ok) cache.paths.push(pattern);
      else if (checked.kind === 'absolute') this.warn('ignored', at, path, `${checked.problem}. Amplify does not cache absolute paths; this one is ignored`);
      else this.error(checked.kind === 'outside' ? 'path-outside' : 'invalid-value', at, path, checked.problem);
    });
    return cache;
  }

  private readCustomHeaders(entry: Entry | undefined): CustomHeaderRule[] | undefined {
    if (!entry) return undefined;
    const node = this.deref(entry.value, entry.path);
    if (node === undefined) return undefined;
    if (node === null || isNull(node)) return [];
    if (!isSeq(node)) {
      this.error('wrong-type', node, entry.path, 'expected a list of rules, each "- pattern: ..." with "headers:" listing "- key: ..." and "value: ..."');
      return undefined;
    }
    const rules: CustomHeaderRule[] = [];
    node.items.forEach((raw, index) => {
      const path = `${entry.path}[${index}]`;
      const entries = this.mapEntries(raw as Found, path, 'a customHeaders rule');
      if (!entries) return;
      const keys = this.checkKeys(entries, HEADER_RULE);
      const patternEntry = keys.get('pattern');
      const headersEntry = keys.get('headers');
      if (!patternEntry) this.error('missing-key', raw as Found, path, "this rule has no pattern: add the paths it applies to, e.g. pattern: '**/*'");
      if (!headersEntry) this.error('missing-key', raw as Found, path, 'this rule has no headers: add headers with "- key: ..." and "value: ..." items');
      const pattern = this.text(patternEntry, "a path pattern, e.g. '**/*'");
      const headers = this.readHeaders(headersEntry);
      if (pattern !== undefined && headers !== undefined) rules.push({ pattern, headers });
    });
    return rules;
  }

  private readHeaders(entry: Entry | undefined): CustomHeaderRule['headers'] | undefined {
    if (!entry) return undefined;
    const node = this.deref(entry.value, entry.path);
    if (node === undefined) return undefined;
    if (!isSeq(node)) {
      this.error('wrong-type', node ?? entry.keyNode, entry.path, `expected a list of headers, each "- key: <name>" with "value: <value>", found ${describe(node)}`);
      return undefined;
    }
    const headers: CustomHeaderRule['headers'] = [];
    node.items.forEach((raw, index) => {
      const path = `${entry.path}[${index}]`;
      const entries = this.mapEntries(raw as Found, path, 'a header');
      if (!entries) return;
      const keys = this.checkKeys(entries, HEADER);
      const keyEntry = keys.get('key');
      const valueEntry = keys.get('value');
      if (!keyEntry || !valueEntry) {
        this.error('missing-key', raw as Found, path, `a header needs both key and value, e.g.\n        - key: Cache-Control\n          value: 'public, max-age=31536000'`);
        return;
      }
      const key = this.text(keyEntry, 'a header name');
      const value = this.text(valueEntry, 'a header value', { allowEmpty: true });
      if (key === undefined || value === undefined) return;
      if (!HEADER_NAME.test(key)) {
        this.error('invalid-value', valueEntry.value ?? keyEntry.keyNode, keyEntry.path, `"${key}" is not a valid HTTP header name: use letters, digits and -, e.g. X-Frame-Options`);
        return;
      }
      headers.push({ key, value });
    });
    return headers;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A scalar's text: the string value, or the source as written for numbers, booleans and dates. */
function scalarText(node: YamlNode): string {
  if (!isScalar(node)) return '';
  return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
}

function isNull(node: YamlNode): boolean {
  return isScalar(node) && node.value === null;
}

function isMergeKey(value: unknown): boolean {
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

function describe(node: Found): string {
  if (node === null || node === undefined) return 'nothing (an empty value)';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const written = node.source ?? String(node.value);
    if (node.value === null) return 'nothing (an empty value)';
    if (typeof node.value === 'string') return `the string "${node.value}"`;
    if (typeof node.value === 'number') return `a number (${written})`;
    if (typeof node.value === 'boolean') {
      return /^(true|false)$/i.test(written) ? `a boolean (${written})` : `a boolean (YAML reads ${written} as ${String(node.value)})`;
    }
    if (node.value instanceof Date) return `a date (${written})`;
  }
  return 'a value of another type';
}

function firstLine(text: string): string {
  const [first = '', ...rest] = text.split('\n');
  return rest.length > 0 ? `${first} ...` : first;
}

/** `'text'` in YAML single quotes (always valid: `'` doubles). */
function singleQuoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** How to write `written` as one string item: quoted when it fits on a line, else a `|` block. */
function suggestQuoted(written: string): string {
  if (!written.includes('\n')) return `Quote the command: - ${singleQuoted(written)}`;
  return 'Write it as a block scalar so YAML keeps it as text:\n        - |\n          <the command lines>';
}

function quoteIfNeeded(text: string): string {
  return /^[\w./~$-][^:#]*$/.test(text) && !text.includes(': ') ? text : singleQuoted(text);
}

/** Extra advice for YAML syntax errors typical of build specs. */
function yamlHint(code: string, sourceLine: string): string {
  const item = /^\s*-\s+(.*)$/.exec(sourceLine)?.[1];
  if (code === 'TAB_AS_INDENT') return '. Indent with spaces, not tabs';
  if (code === 'DUPLICATE_KEY') return '. Each key may appear only once in a mapping: merge the two into one';
  if (code === 'MULTIPLE_DOCS') return '. A build spec is one YAML document: remove the "---" separator and what follows, or merge them';
  if (item !== undefined && /^[[{]/.test(item)) {
    return `. A command starting with "${item[0]}" is read as a YAML ${item[0] === '[' ? 'list' : 'mapping'}: quote the whole command, e.g. - ${singleQuoted(item.trim())}`;
  }
  if (item !== undefined && code === 'BAD_SCALAR_START') return `. Quote the value, e.g. - ${singleQuoted(item.trim())}`;
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && /:\s/.test(sourceLine)) {
    return '. A value containing ": " must be quoted, e.g. key: \'a: b\'';
  }
  if (code === 'BAD_INDENT' || code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY') {
    return '. Check the indentation: items of one list or mapping must start in the same column';
  }
  return '';
}
