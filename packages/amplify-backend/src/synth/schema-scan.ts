import { Kind, parse, print, type DirectiveNode, type ValueNode } from 'graphql';

/** Something in the data schema Gantry's data API does not implement. */
export interface SchemaFinding {
  /** e.g. `allow.owner() on Todo`, `allow.groups(["admin"]) on Post.secret`, `custom query echo`. */
  construct: string;
  /** The type whose declaration it belongs to (to find a line in the app's file). */
  typeName: string;
  /** For custom operations: the operation's field name. */
  fieldName?: string;
  hint: string;
}

const AUTH_HINT =
  'Gantry\'s data API enforces API-key rules (allow.publicApiKey()) and user-pool rules (allow.owner(), allow.ownerDefinedIn(), allow.ownersDefinedIn(), allow.authenticated(), allow.groups(), allow.groupsDefinedIn()); guest and identity-pool rules (IAM), OIDC, custom (Lambda) and resource rules are not served yet.';
const CUSTOM_OPERATION_HINT =
  'Custom queries and mutations are served when their handler is a.handler.function(...); other handlers (a.handler.custom, SQL, AI routes) and custom subscriptions (a.subscription()) are not served by Gantry\'s data API yet.';

const OPERATION_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Walks the Amplify-directive SDL (`schema.transform().schema`) and lists what Gantry cannot serve: @auth rules
 * of authorization types it does not serve, on models and on fields, and custom operations. Only parses: the SDL uses
 * directives that are not declared, so it is never validated here.
 */
export function scanSchema(sdl: string): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const document = parse(sdl, { noLocation: true });
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    if (OPERATION_TYPES.has(typeName)) {
      for (const field of definition.fields ?? []) {
        const kind = typeName === 'Query' ? 'query' : typeName === 'Mutation' ? 'mutation' : 'subscription';
        if (kind !== 'subscription' && field.directives?.some((directive) => directive.name.value === 'function')) {
          for (const rule of authRules(field.directives)) {
            if (!isSupportedRule(rule)) findings.push({ construct: `${describeRule(rule)} on custom ${kind} ${field.name.value}`, typeName, fieldName: field.name.value, hint: AUTH_HINT });
          }
          continue;
        }
        findings.push({ construct: `custom ${kind} ${field.name.value}`, typeName, fieldName: field.name.value, hint: CUSTOM_OPERATION_HINT });
      }
      continue;
    }
    for (const rule of authRules(definition.directives)) {
      if (!isSupportedRule(rule)) findings.push({ construct: `${describeRule(rule)} on ${typeName}`, typeName, hint: AUTH_HINT });
    }
    for (const field of definition.fields ?? []) {
      for (const rule of authRules(field.directives)) {
        if (!isSupportedRule(rule)) {
          findings.push({ construct: `${describeRule(rule)} on ${typeName}.${field.name.value}`, typeName, fieldName: field.name.value, hint: AUTH_HINT });
        }
      }
    }
  }
  return findings;
}

type Rule = Record<string, unknown>;

function authRules(directives: readonly DirectiveNode[] | undefined): Rule[] {
  const rules: Rule[] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'auth') continue;
    const rulesArg = directive.arguments?.find((argument) => argument.name.value === 'rules');
    const value = rulesArg ? toJs(rulesArg.value) : undefined;
    if (Array.isArray(value)) for (const rule of value) if (rule && typeof rule === 'object') rules.push(rule as Rule);
  }
  return rules;
}

/** API-key rules and user-pool rules (owner, authenticated, groups) are enforced by the data API. */
function isSupportedRule(rule: Rule): boolean {
  const provider = rule['provider'];
  if (rule['allow'] === 'public') return provider === undefined || provider === 'apiKey';
  if (rule['allow'] === 'private' || rule['allow'] === 'owner' || rule['allow'] === 'groups') return provider === undefined || provider === 'userPools';
  return false;
}

/** The rule in the words the app wrote it (`allow.owner()`, `allow.groups(["admin"])`, ...). */
function describeRule(rule: Rule): string {
  const provider = typeof rule['provider'] === 'string' ? rule['provider'] : undefined;
  switch (rule['allow']) {
    case 'owner':
      return rule['ownerField'] && rule['ownerField'] !== 'owner' ? `allow.ownerDefinedIn("${String(rule['ownerField'])}")` : 'allow.owner()';
    case 'groups':
      return Array.isArray(rule['groups'])
        ? `allow.groups(${JSON.stringify(rule['groups'])})`
        : `allow.groupsDefinedIn("${String(rule['groupsField'] ?? 'groups')}")`;
    case 'private':
      return provider && provider !== 'userPools' ? `allow.authenticated("${provider}")` : 'allow.authenticated()';
    case 'public':
      return provider === 'identityPool' || provider === 'iam' ? 'allow.guest()' : `allow.public("${provider}")`;
    case 'custom':
      return 'allow.custom()';
    default:
      return `@auth(allow: ${String(rule['allow'])})`;
  }
}

function toJs(value: ValueNode): unknown {
  switch (value.kind) {
    case Kind.LIST:
      return value.values.map((item) => toJs(item));
    case Kind.OBJECT:
      return Object.fromEntries(value.fields.map((field) => [field.name.value, toJs(field.value)]));
    case Kind.STRING:
    case Kind.ENUM:
      return value.value;
    case Kind.BOOLEAN:
      return value.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(value.value);
    case Kind.NULL:
      return null;
    default:
      return print(value);
  }
}
