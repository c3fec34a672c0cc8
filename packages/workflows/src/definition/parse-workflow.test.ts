import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GantryError } from '@gantry/core';
import { parseWorkflow, type ParseWorkflowOptions } from './parse-workflow.ts';
import { workflowIssuesOf } from './workflow-issues.ts';
import type { WorkflowIssue } from './workflow-types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const samplesDir = path.resolve(repoRoot, '../shared/conformance/codecatalyst-schema-samples');
const FILE = '.codecatalyst/workflows/main.yaml';

/** The errors `parseWorkflow` throws for `text` (fails when it does not throw). */
function errorsOf(text: string, options?: ParseWorkflowOptions, file = FILE): { error: GantryError; issues: WorkflowIssue[] } {
  try {
    parseWorkflow(text, file, options);
  } catch (error) {
    assert.ok(error instanceof GantryError, `expected a GantryError, got ${String(error)}`);
    assert.equal(error.code, 'ValidationError');
    return { error, issues: workflowIssuesOf(error) };
  }
  assert.fail('expected parseWorkflow to throw');
}

/** `line:column code` of each issue, for compact assertions. */
const where = (issues: readonly WorkflowIssue[]) => issues.map((i) => `${i.line}:${i.column} ${i.code}`);

function onlyError(text: string, options?: ParseWorkflowOptions): WorkflowIssue {
  const { issues, error } = errorsOf(text, options);
  assert.equal(issues.length, 1, `expected one error, got:\n${error.message}`);
  return issues[0]!;
}

/** A minimal valid workflow with `actions` (YAML, indented by 2) as its Actions. */
function withActions(actions: string, head = ''): string {
  return `Name: test\nSchemaVersion: "1.0"\n${head}Actions:\n${actions}`;
}

const BUILD = (name: string, extra = '', steps = ['echo hi']) =>
  `  ${name}:\n    Identifier: aws/build@v1\n${extra}    Configuration:\n      Steps:\n${steps.map((s) => `        - Run: ${s}\n`).join('')}`;

// ---------------------------------------------------------------------------------------------------------------

describe('official CodeCatalyst schema samples', () => {
  const available = existsSync(samplesDir);
  const files = available ? readdirSync(samplesDir).filter((f) => f.endsWith('.yaml')).sort() : [];

  it('are present', { skip: available ? false : `conformance samples not found at ${samplesDir} (they live beside the checkout in CI)` }, () => {
    assert.ok(files.length >= 30, `expected the 30 samples, found ${files.length}`);
  });

  for (const file of files) {
    const text = () => readFileSync(path.join(samplesDir, file), 'utf8');
    if (file.includes('__valid-')) {
      it(`accepts ${file}`, () => {
        const { workflow } = parseWorkflow(text(), file, { allowUnsupportedActions: true });
        assert.ok(workflow.actions.length > 0);
        assert.equal(workflow.schemaVersion, '1.0');
        assert.deepEqual(new Set(workflow.graph.order), new Set(workflow.actions.map((a) => a.name)));
      });
      it(`in strict mode rejects ${file} only for its unsupported actions`, () => {
        let issues: WorkflowIssue[] = [];
        try {
          parseWorkflow(text(), file);
        } catch (error) {
          issues = workflowIssuesOf(error);
        }
        const unsupported = [...text().matchAll(/Identifier: (\S+)/g)].map((m) => m[1]!).filter((id) => !/^aws\/(build|managed-test|approval)@v1/.test(id));
        assert.deepEqual(issues.map((i) => i.code), unsupported.map(() => 'unsupported-action'));
      });
    } else {
      it(`rejects ${file}`, () => {
        const { issues } = errorsOf(text(), { allowUnsupportedActions: true }, file);
        assert.ok(issues.length > 0);
        for (const issue of issues) {
          assert.equal(issue.file, file);
          assert.ok(issue.line >= 1 && issue.column >= 1);
        }
      });
    }
  }

  it('reports what is wrong in the invalid samples', { skip: !available && 'conformance samples absent' }, () => {
    const expectations: Record<string, string[]> = {
      'aws__actions-dev-kit__invalid-actions-invalid-build-action.yaml': ['8:3 missing-key'],
      'aws__actions-dev-kit__invalid-actions-invalid-managed-test-action.yaml': ['8:3 missing-key'],
      'aws__actions-dev-kit__invalid-invalid-sample-workflow.yaml': ['1:1 missing-key', '1:1 missing-key', '2:1 unknown-key'],
      'aws__actions-dev-kit__invalid-triggers-invalid-pull-request-trigger-extra-field.yaml': ['13:5 unknown-key'],
      'aws__actions-dev-kit__invalid-triggers-invalid-pull-request-trigger-unknown-event-type.yaml': ['6:9 invalid-value'],
      'aws__actions-dev-kit__invalid-triggers-invalid-pull-request-trigger-with-emtpy-event-list.yaml': ['5:12 invalid-value'],
      'aws__actions-dev-kit__invalid-triggers-invalid-push-trigger-extra-field.yaml': ['11:5 unknown-key'],
      'aws__actions-dev-kit__invalid-triggers-invalid-push-trigger-with-empty-branch-list.yaml': ['5:14 invalid-value'],
      'aws__actions-dev-kit__invalid-triggers-invalid-push-trigger-with-empty-file-list.yaml': ['5:18 invalid-value'],
      'aws__actions-dev-kit__invalid-triggers-invalid-schedule-trigger-extra-field.yaml': ['6:5 unknown-key'],
      'aws__actions-dev-kit__invalid-triggers-invalid-schedule-trigger-missing-expression.yaml': ['4:5 missing-key'],
    };
    for (const [file, expected] of Object.entries(expectations)) {
      const { issues } = errorsOf(readFileSync(path.join(samplesDir, file), 'utf8'));
      assert.deepEqual(where(issues), expected, file);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

const SCENARIO = `Name: deploy-backend
SchemaVersion: "1.0"
RunMode: QUEUED
Triggers:
  - Type: PUSH
    Branches:
      - main
Actions:
  DeployStaging:
    Identifier: aws/build@v1
    Environment:
      Name: staging
      Connections:
        - Name: staging-account
          Role: gantry-backend-deploy
    Inputs:
      Sources:
        - WorkflowSource
      Variables:
        - Name: AWS_APP_ID
          Value: d1a2b3c4staging
        - Name: AWS_BRANCH
          Value: \${WorkflowSource.BranchName}
    Configuration:
      Steps:
        - Run: export CI=1
        - Run: npm ci
        - Run: npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
        - Run: curl -X POST -d {} "http://127.0.0.1:4566/amplify/webhooks?id=wh-staging&token=abc123&operation=startbuild" -H "Content-Type:application/json"
  DeployProduction:
    Identifier: aws/build@v1
    DependsOn:
      - DeployStaging
    Environment:
      Name: production
      Connections:
        - Name: "210987654321"
          Role: gantry-backend-deploy
    Inputs:
      Sources:
        - WorkflowSource
      Variables:
        AWS_APP_ID: d9e8f7production
        AWS_BRANCH: main
    Configuration:
      Steps:
        - Run: export CI=1
        - Run: npm ci
        - Run: npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
        - Run: curl -X POST -d {} "http://127.0.0.1:4566/amplify/webhooks?id=wh-production&token=def456&operation=startbuild" -H "Content-Type:application/json"
`;

describe('the DESIGN.md scenario workflow', () => {
  it('parses into two dependent build actions with environments, roles and variables', () => {
    const { workflow, warnings } = parseWorkflow(SCENARIO, FILE);
    assert.deepEqual(warnings, []);
    assert.equal(workflow.name, 'deploy-backend');
    assert.equal(workflow.runMode, 'QUEUED');
    assert.deepEqual(workflow.triggers, [{ type: 'PUSH', branches: ['main'], filesChanged: [] }]);
    assert.deepEqual(workflow.graph.order, ['DeployStaging', 'DeployProduction']);
    assert.deepEqual(workflow.graph.dependencies, { DeployStaging: [], DeployProduction: ['DeployStaging'] });

    const [staging, production] = workflow.actions;
    assert.equal(staging!.kind, 'build');
    assert.equal(staging!.identifier, 'aws/build@v1');
    assert.deepEqual(staging!.environment, { name: 'staging', connections: [{ name: 'staging-account', role: 'gantry-backend-deploy' }] });
    assert.deepEqual(production!.environment, { name: 'production', connections: [{ name: '210987654321', role: 'gantry-backend-deploy' }] });
    assert.deepEqual(staging!.inputs.variables, [
      { name: 'AWS_APP_ID', value: 'd1a2b3c4staging' },
      { name: 'AWS_BRANCH', value: '${WorkflowSource.BranchName}' },
    ]);
    assert.deepEqual(production!.inputs.variables, [
      { name: 'AWS_APP_ID', value: 'd9e8f7production' },
      { name: 'AWS_BRANCH', value: 'main' },
    ]);
    assert.deepEqual(production!.dependsOn, ['DeployStaging']);
    assert.equal(production!.kind === 'build' && production!.configuration.steps.length, 4);
    if (staging!.kind !== 'build') assert.fail('expected a build action');
    assert.deepEqual(staging.configuration.steps.map((s) => s.run), [
      'export CI=1',
      'npm ci',
      'npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID',
      'curl -X POST -d {} "http://127.0.0.1:4566/amplify/webhooks?id=wh-staging&token=abc123&operation=startbuild" -H "Content-Type:application/json"',
    ]);
    assert.deepEqual(staging.inputs.sources, ['WorkflowSource']);
  });

  it('survives a JSON round trip (plain data)', () => {
    const { workflow } = parseWorkflow(SCENARIO, FILE);
    assert.deepEqual(JSON.parse(JSON.stringify(workflow)), workflow);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('leniencies real files need (accepted with a warning)', () => {
  it('reads unquoted SchemaVersion: 1.0 (a YAML number)', () => {
    const { workflow, warnings } = parseWorkflow(`Name: w\nSchemaVersion: 1.0\nActions:\n${BUILD('A')}`, FILE);
    assert.equal(workflow.schemaVersion, '1.0');
    assert.deepEqual(where(warnings), ['2:16 lenient']);
    assert.match(warnings[0]!.message, /number 1; accepted as "1\.0"/);
  });

  it('reads action-level Compute.Type: Lambda as LAMBDA', () => {
    const { workflow, warnings } = parseWorkflow(withActions(BUILD('A', '    Compute:\n      Type: Lambda\n      Fleet: Linux.x86-64.Large\n')), FILE);
    assert.deepEqual(workflow.actions[0]!.compute, { type: 'LAMBDA', fleet: 'Linux.x86-64.Large' });
    assert.deepEqual(where(warnings), ['7:13 lenient']);
    assert.match(warnings[0]!.message, /Compute\.Type "Lambda" is read as LAMBDA/);
  });

  it('accepts workflow-level Type: Lambda and ec2 without a warning (the schema allows them)', () => {
    const { workflow, warnings } = parseWorkflow(withActions(BUILD('A'), 'Compute:\n  Type: Lambda\n'), FILE);
    assert.deepEqual(workflow.compute, { type: 'LAMBDA', sharedInstance: false });
    assert.deepEqual(warnings, []);
  });

  it('reads trigger Type and Events in another case (push, PullRequest, open)', () => {
    const text = withActions(BUILD('A'), 'Triggers:\n  - Type: push\n    Branches: [main]\n  - Type: PullRequest\n    Events: [open, REVISION]\n');
    const { workflow, warnings } = parseWorkflow(text, FILE);
    assert.deepEqual(workflow.triggers, [
      { type: 'PUSH', branches: ['main'], filesChanged: [] },
      { type: 'PULLREQUEST', events: ['OPEN', 'REVISION'], branches: [], filesChanged: [] },
    ]);
    assert.deepEqual(where(warnings), ['4:11 lenient', '6:11 lenient', '7:14 lenient']);
    assert.match(warnings[0]!.message, /trigger Type "push" is read as PUSH/);
  });

  it('reads a boolean SharedInstance', () => {
    const { workflow, warnings } = parseWorkflow(withActions(BUILD('A'), 'Compute:\n  Type: EC2\n  SharedInstance: true\n'), FILE);
    assert.deepEqual(workflow.compute, { type: 'EC2', sharedInstance: true });
    assert.deepEqual(where(warnings), ['5:19 lenient']);
    const exact = parseWorkflow(withActions(BUILD('A'), 'Compute:\n  Type: EC2\n  SharedInstance: TRUE\n'), FILE);
    assert.equal(exact.workflow.compute?.sharedInstance, true);
    assert.deepEqual(exact.warnings, []);
  });

  it('reads null values where a list or mapping is expected as empty', () => {
    const text = withActions(
      '  A:\n    Identifier: aws/build@v1\n    DependsOn:\n    Inputs:\n      Sources:\n      Variables:\n    Outputs:\n    Configuration:\n      Steps:\n        - Run: echo hi\n',
      'Triggers:\n',
    );
    const { workflow, warnings } = parseWorkflow(text, FILE);
    assert.deepEqual(workflow.triggers, []);
    assert.deepEqual(workflow.actions[0]!.inputs, { sources: [], artifacts: [], variables: [] });
    assert.deepEqual(workflow.actions[0]!.declaredDependsOn, []);
    assert.deepEqual(warnings.map((w) => w.path), ['Triggers', 'Actions.A.DependsOn', 'Actions.A.Inputs.Sources', 'Actions.A.Inputs.Variables', 'Actions.A.Outputs']);
    assert.ok(warnings.every((w) => w.code === 'lenient'));
  });

  it('ignores Type: MANUAL triggers and what follows a --- marker', () => {
    const text = `${withActions(BUILD('A'), 'Triggers:\n  - Type: MANUAL\n')}---\nName: ignored\n`;
    const { workflow, warnings } = parseWorkflow(text, FILE);
    assert.deepEqual(workflow.triggers, []);
    assert.deepEqual(warnings.map((w) => w.code), ['ignored', 'ignored']);
  });

  it('normalises identifier versions and reads approval gates', () => {
    const text = withActions(
      `${BUILD('A').replace('aws/build@v1', 'aws/build@v1.0.0')}  Gate:\n    Identifier: aws/approval@v1\n    DependsOn: [A]\n    Configuration:\n      ApprovalsRequired: 2\n  Test:\n    Identifier: aws/managed-test@v1.0\n    DependsOn: [Gate]\n    Configuration:\n      Steps: []\n`,
    );
    const { workflow } = parseWorkflow(text, FILE);
    assert.deepEqual(workflow.actions.map((a) => [a.identifier, a.identifierAsWritten]), [
      ['aws/build@v1', 'aws/build@v1.0.0'],
      ['aws/approval@v1', 'aws/approval@v1'],
      ['aws/managed-test@v1', 'aws/managed-test@v1.0'],
    ]);
    const gate = workflow.actions[1]!;
    assert.ok(gate.kind === 'approval' && gate.configuration.approvalsRequired === 2);
  });

  it('warns about glob-looking Branches patterns', () => {
    const { warnings } = parseWorkflow(withActions(BUILD('A'), 'Triggers:\n  - Type: PUSH\n    Branches: ["feature/*"]\n'), FILE);
    assert.deepEqual(where(warnings), ['5:16 invalid-value']);
    assert.match(warnings[0]!.message, /looks like a glob.*"feature\/\.\*"/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('action groups, references and implied dependencies', () => {
  const GROUPS = withActions(
    `${BUILD('Build', '    Outputs:\n      Variables: [VERSION]\n      Artifacts:\n        - Name: site\n          Files: ["dist/**/*"]\n')}` +
      '  Deploy:\n    DependsOn: [Build]\n    Actions:\n' +
      '      Staging:\n        Identifier: aws/build@v1\n        Outputs:\n          Variables: [URL]\n        Configuration:\n          Steps:\n            - Run: echo ${Build.VERSION}\n' +
      '      Production:\n        Identifier: aws/build@v1\n        Inputs:\n          Artifacts: [site]\n        Configuration:\n          Steps:\n            - Run: echo ${Deploy.Staging.URL} ${Secrets.token} ${WorkflowSource.CommitId}\n' +
      '  Notify:\n    Identifier: aws/build@v1\n    DependsOn: [Deploy]\n    Configuration:\n      Steps:\n        - Run: echo done\n',
  );

  it('flattens groups, expands group dependencies and adds the ones references imply', () => {
    const { workflow } = parseWorkflow(GROUPS, FILE);
    assert.deepEqual(workflow.actions.map((a) => [a.name, a.groupPath.join('/')]), [
      ['Build', ''],
      ['Staging', 'Deploy'],
      ['Production', 'Deploy'],
      ['Notify', ''],
    ]);
    assert.deepEqual(workflow.groups, { Deploy: ['Staging', 'Production'] });
    assert.deepEqual(workflow.graph.dependencies, {
      Build: [],
      Staging: ['Build'],
      Production: ['Build', 'Staging'],
      Notify: ['Production', 'Staging'],
    });
    assert.deepEqual(workflow.actions[2]!.declaredDependsOn, ['Build']);
    assert.deepEqual(workflow.graph.order, ['Build', 'Staging', 'Production', 'Notify']);
  });

  it('makes a reference or an input artifact imply the dependency', () => {
    const text = withActions(
      `${BUILD('Consumer', '', ['echo ${Producer.OUT}'])}${BUILD('Producer', '    Outputs:\n      Variables: [OUT]\n')}`,
    );
    const { workflow } = parseWorkflow(text, FILE);
    assert.deepEqual(workflow.graph.order, ['Producer', 'Consumer']);
    assert.deepEqual(workflow.actions[0]!.dependsOn, ['Producer']);
    assert.deepEqual(workflow.actions[0]!.declaredDependsOn, []);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('errors, with file:line:column and path', () => {
  it('reports invalid YAML at the first syntax error', () => {
    const issue = onlyError('Name: w\nSchemaVersion: "1.0"\nActions:\n  A: [unclosed\n');
    assert.equal(issue.code, 'yaml-syntax');
    assert.equal(issue.line >= 4, true);
    assert.match(issue.message, /^invalid YAML/);
  });

  it('reports duplicate keys (duplicate action names in one mapping)', () => {
    const issue = onlyError(withActions(`${BUILD('A')}${BUILD('A')}`));
    assert.equal(issue.code, 'yaml-syntax');
    assert.match(issue.message, /unique/);
  });

  it('lists every error in one ValidationError with file:line:column, path and a caret', () => {
    const { error, issues } = errorsOf('Name: my workflow\nSchemaVersion: "2.0"\nRunMode: SOMETIMES\nActions:\n' + BUILD('A', '    Timeout: 600\n'));
    assert.deepEqual(where(issues), ['1:7 invalid-value', '2:16 invalid-value', '3:10 invalid-value', '7:14 invalid-value']);
    assert.deepEqual(issues.map((i) => i.path), ['Name', 'SchemaVersion', 'RunMode', 'Actions.A.Timeout']);
    assert.match(error.message, /^\.codecatalyst\/workflows\/main\.yaml: 4 errors in the workflow:\n/);
    assert.ok(
      error.message.includes(
        '.codecatalyst/workflows/main.yaml:7:14: Actions.A.Timeout: expected the timeout in minutes (a whole number from 1 to 480), found the number 600\n' +
          '  7 |     Timeout: 600\n' +
          '    |              ^',
      ),
      error.message,
    );
    assert.equal(error.status, 400);
  });

  it('reports a missing required key and unknown keys with a suggestion', () => {
    const { issues } = errorsOf('Name: w\nActions:\n  A:\n    Identifier: aws/build@v1\n    DependOn: [B]\n    configuration: {}\n');
    assert.deepEqual(where(issues), ['1:1 missing-key', '3:3 missing-key', '5:5 unknown-key', '6:5 unknown-key']);
    assert.match(issues[0]!.message, /needs "SchemaVersion"/);
    assert.match(issues[2]!.message, /did you mean "DependsOn"\?/);
    assert.match(issues[3]!.message, /did you mean "Configuration"\? Keys are case-sensitive/);
  });

  it('reports wrong types', () => {
    const issue = onlyError(withActions('  A:\n    Identifier: aws/build@v1\n    Configuration:\n      Steps: npm ci\n'));
    assert.deepEqual(where([issue]), ['7:14 wrong-type']);
    assert.equal(issue.path, 'Actions.A.Configuration.Steps');
  });

  it('reports unsupported action identifiers, naming the supported ones', () => {
    const issue = onlyError(withActions('  Deploy:\n    Identifier: aws/cdk-deploy@v1\n    Configuration:\n      StackName: x\n'));
    assert.deepEqual(where([issue]), ['5:17 unsupported-action']);
    assert.match(issue.message, /"aws\/cdk-deploy@v1" is not supported; supported: aws\/build@v1, aws\/managed-test@v1, aws\/approval@v1/);
  });

  it('reports unknown DependsOn targets', () => {
    const issue = onlyError(withActions(`${BUILD('Build')}${BUILD('Deploy', '    DependsOn:\n      - Bild\n')}`));
    assert.deepEqual(where([issue]), ['12:9 unknown-dependency']);
    assert.equal(issue.path, 'Actions.Deploy.DependsOn[0]');
    assert.match(issue.message, /DependsOn names "Bild".*did you mean "Build"\?/);
  });

  it('reports dependency cycles, naming the cycle', () => {
    const issue = onlyError(withActions(`${BUILD('A', '    DependsOn: [C]\n')}${BUILD('B', '    DependsOn: [A]\n')}${BUILD('C', '    DependsOn: [B]\n')}`));
    assert.deepEqual(where([issue]), ['4:3 dependency-cycle']);
    assert.match(issue.message, /A → C, C → B, B → A/);
  });

  it('reports cycles a variable reference closes', () => {
    const text = withActions(`${BUILD('A', '    DependsOn: [B]\n    Outputs:\n      Variables: [X]\n')}${BUILD('B', '', ['echo ${A.X}'])}`);
    const issue = onlyError(text);
    assert.equal(issue.code, 'dependency-cycle');
    assert.match(issue.message, /A → B, B → A \(uses \$\{A\.X\}\)/);
  });

  it('reports an action depending on itself', () => {
    const issue = onlyError(withActions(BUILD('A', '    DependsOn: [A]\n')));
    assert.deepEqual(where([issue]), ['6:17 dependency-cycle']);
  });

  it('reports duplicate action names across groups', () => {
    const text = withActions(`${BUILD('Deploy')}  G:\n    Actions:\n${BUILD('Deploy').replace(/^/gm, '    ').replace(/^ {4}$/gm, '')}`);
    const issue = onlyError(text);
    assert.equal(issue.code, 'duplicate');
    assert.equal(issue.path, 'Actions.G.Actions.Deploy');
    assert.equal(issue.line, 11);
  });

  it('reports unknown variable references (action, variable, WorkflowSource), and accepts secrets', () => {
    const text = withActions(
      `${BUILD('Build', '    Outputs:\n      Variables: [VERSION]\n')}${BUILD('Use', '', ['echo ${Biuld.VERSION}', 'echo ${Build.VERSON}', 'echo ${WorkflowSource.Branch}', 'echo ${Secrets.anything-goes} ${Build.VERSION}'])}`,
    );
    const { issues } = errorsOf(text);
    assert.deepEqual(where(issues), ['15:21 unknown-variable', '16:21 unknown-variable', '17:21 unknown-variable']);
    assert.match(issues[0]!.message, /names "Biuld", which is not an action.*did you mean "Build"\?/);
    assert.match(issues[1]!.message, /the action Build has no output variable VERSON \(its Outputs\.Variables: VERSION\)/);
    assert.match(issues[2]!.message, /WorkflowSource has the variables CommitId and BranchName/);
  });

  it('reports group references that name no action of the group', () => {
    const text = withActions(`  G:\n    Actions:\n${BUILD('Inner').replace(/^/gm, '    ').replace(/^ {4}$/gm, '')}${BUILD('Use', '', ['echo ${G.Other.X} ${G.X}'])}`);
    const { issues } = errorsOf(text);
    assert.deepEqual(issues.map((i) => i.code), ['unknown-variable', 'unknown-variable']);
    assert.match(issues[0]!.message, /the action group G has no action Other/);
    assert.match(issues[1]!.message, /G is an action group; name one of its actions/);
  });

  it('reports input artifacts no action outputs', () => {
    const issue = onlyError(withActions(BUILD('A', '    Inputs:\n      Artifacts: [site]\n')));
    assert.deepEqual(where([issue]), ['7:19 unknown-artifact']);
  });

  it('reports invalid regexes in Branches and FilesChanged, saying why', () => {
    const { issues } = errorsOf(withActions(BUILD('A'), 'Triggers:\n  - Type: PUSH\n    Branches: ["release-(1"]\n    FilesChanged: ["*.md"]\n'));
    assert.deepEqual(where(issues), ['5:16 invalid-regex', '6:20 invalid-regex']);
    assert.match(issues[0]!.message, /"release-\(1" is not a valid regular expression: Unterminated group/);
    assert.match(issues[1]!.message, /Nothing to repeat; FilesChanged entries are regular expressions, not globs/);
  });

  it('reports invalid cron expressions', () => {
    const { issues } = errorsOf(
      withActions(BUILD('A'), 'Triggers:\n  - Type: SCHEDULE\n    Expression: "0 9 * * MON *"\n  - Type: SCHEDULE\n    Expression: "0 9 * *"\n'),
    );
    assert.deepEqual(where(issues), ['5:17 invalid-cron', '6:5 duplicate', '7:17 invalid-cron']);
    assert.match(issues[0]!.message, /cannot both be given: put "\?" in one of them/);
    assert.match(issues[2]!.message, /expected 6 fields/);
  });

  it('reports Compute at both levels', () => {
    const issue = onlyError(withActions(BUILD('A', '    Compute:\n      Type: EC2\n'), 'Compute:\n  Type: EC2\n'));
    assert.deepEqual(where([issue]), ['8:5 invalid-value']);
    assert.match(issue.message, /either for the whole workflow or per action, not both/);
  });

  it('says why a value written as ##### is empty', () => {
    const issue = onlyError(withActions(BUILD('A', '    Inputs:\n      Variables:\n        - Name: AWS_APP_ID\n          Value: #####\n')));
    assert.deepEqual(where([issue]), ['9:18 invalid-value']);
    assert.match(issue.message, /everything after " #" as a comment: quote the value/);
  });

  it('reports an empty file and an empty Actions', () => {
    assert.equal(onlyError('').code, 'invalid-value');
    assert.match(onlyError('Name: w\nSchemaVersion: "1.0"\nActions: {}\n').message, /at least one action/);
  });
});
