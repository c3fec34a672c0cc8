import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { codecatalyst, projectPath, queryString } from '../client/codecatalyst-api.ts';
import { formatIssue, printTable, printedAsJson, shortCommit, shortTime, type IssueJson } from '../client/cli-output.ts';

interface WorkflowJson {
  name: string; status: 'ACTIVE' | 'INVALID'; repository: string; branch: string; path: string; commitId: string; updatedAt: string;
  errors: IssueJson[]; warnings: IssueJson[]; runMode?: string; triggers?: unknown[]; actions?: string[]; content?: string;
}
interface ValidationJson { valid: boolean; name?: string; errors: IssueJson[]; warnings: IssueJson[]; actions: string[] }

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

const projectOptions = (c: Argv) => c
  .option('space', { type: 'string', demandOption: true })
  .option('project', { type: 'string', demandOption: true });

export function workflowsCommand(yargs: Argv) {
  return yargs.command('workflows', 'Work with CodeCatalyst workflow definitions (.codecatalyst/workflows/*.yaml)', (y) =>
    y
      .command(
        'validate <file>',
        'Validate a workflow definition: errors name file, line, column and path',
        (c) => c.positional('file', { type: 'string', demandOption: true }),
        async (args) => {
          // Loaded here, not at the top: every other command starts faster without the workflows package.
          const { formatWorkflowIssue, parseWorkflow } = await import('@gantry/workflows');
          const text = readText(args.file);
          const { workflow, warnings } = parseWorkflow(text, args.file);
          for (const warning of warnings) console.error(`warning: ${formatWorkflowIssue(warning, text)}`);
          const order = workflow.actions.map((a) => `${a.name}${a.dependsOn.length ? ` (after ${a.dependsOn.join(', ')})` : ''}`);
          console.log(`${args.file}: workflow ${workflow.name} is valid; run mode ${workflow.runMode}; actions: ${order.join('; ')}`);
        },
      )
      .command(
        'list',
        "List a project's workflows (the files in .codecatalyst/workflows/ of its repositories' branches)",
        (c) => projectOptions(c).option('branch', { type: 'string', describe: 'Only this branch (default: every branch)' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { items } = await codecatalyst<{ items: WorkflowJson[] }>('GET', `${projectPath(args.space, args.project)}/workflows${queryString({ branch: args.branch })}`);
          if (printedAsJson(args.json, items)) return;
          printTable(['WORKFLOW', 'STATUS', 'REPOSITORY', 'BRANCH', 'PATH'], items.map((w) => [w.name, w.status, w.repository, w.branch, w.path]),
            `(project ${args.space}/${args.project} has no workflows${args.branch ? ` on branch ${args.branch}` : ''})`);
          for (const w of items.filter((w) => w.status === 'INVALID')) {
            console.log(`\n${w.name} (${w.repository} ${w.branch}) is INVALID:`);
            for (const issue of w.errors) console.log(`  ${formatIssue(issue)}`);
          }
        },
      )
      .command(
        'show <name>',
        'Show a workflow: status, triggers, actions, errors and its file',
        (c) => projectOptions(c).positional('name', { type: 'string', demandOption: true })
          .option('branch', { type: 'string', default: 'main' })
          .option('repository', { type: 'string', describe: 'Repository holding it, when several have one of that name' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const query = queryString({ branch: args.branch, repository: args.repository });
          const { workflow: w } = await codecatalyst<{ workflow: WorkflowJson }>('GET', `${projectPath(args.space, args.project)}/workflows/${encodeURIComponent(args.name)}${query}`);
          if (printedAsJson(args.json, w)) return;
          console.log(`workflow ${w.name}: ${w.status}`);
          console.log(`  file     ${w.repository} ${w.branch}:${w.path} at ${shortCommit(w.commitId)} (${shortTime(w.updatedAt)})`);
          if (w.runMode) console.log(`  run mode ${w.runMode}`);
          if (w.triggers) console.log(`  triggers ${w.triggers.length ? w.triggers.map((t) => JSON.stringify(t)).join(', ') : '(none: started by hand)'}`);
          if (w.actions) console.log(`  actions  ${w.actions.join(', ')}`);
          for (const issue of w.errors) console.log(`  error    ${formatIssue(issue)}`);
          for (const issue of w.warnings) console.log(`  warning  ${formatIssue(issue)}`);
          if (w.content !== undefined) console.log(`\n${w.content.replace(/\n$/, '')}`);
        },
      )
      .command(
        'save <file>',
        'Commit a workflow file to .codecatalyst/workflows/ of a branch, after validating it',
        (c) => projectOptions(c).positional('file', { type: 'string', demandOption: true })
          .option('repository', { type: 'string', demandOption: true, describe: 'Repository of the project to commit to' })
          .option('branch', { type: 'string', default: 'main' })
          .option('message', { type: 'string', describe: 'Commit message (default: "Update workflow <name>")' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const content = readText(args.file);
          // Checked first so that every error is printed with its position, not only the server's one-line refusal.
          const check = await codecatalyst<ValidationJson>('POST', '/v1/workflows/validate', { content, fileName: args.file });
          for (const warning of check.warnings) console.error(`warning: ${formatIssue(warning)}`);
          if (!check.valid) {
            for (const error of check.errors) console.error(formatIssue(error));
            throw new Error(`${args.file} does not validate (${check.errors.length} error${check.errors.length === 1 ? '' : 's'}); nothing was saved.`);
          }
          const path = `.codecatalyst/workflows/${basename(args.file)}`;
          const saved = await codecatalyst<{ commitId: string; path: string; branch: string; repository: string }>(
            'PUT', `${projectPath(args.space, args.project)}/workflows/${encodeURIComponent(check.name!)}`,
            { content, repository: args.repository, branch: args.branch, path, ...(args.message ? { message: args.message } : {}) },
          );
          if (!printedAsJson(args.json, { name: check.name, ...saved })) {
            console.log(`saved workflow ${check.name} to ${saved.repository} ${saved.branch}:${saved.path} (commit ${shortCommit(saved.commitId)})`);
          }
        },
      )
      .demandCommand(1, 'name a subcommand: validate, list, show or save'),
  );
}
