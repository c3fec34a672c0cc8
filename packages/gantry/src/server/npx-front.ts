import { accessSync, constants, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/** The first line after the hashbang of every script {@link writeNpxFront} writes; how one is recognised. */
const MARK = '# gantry-npx-front';

export interface NpxFrontOptions {
  /** The global npm prefix of builds (`npm_config_prefix`); the script goes to `<prefix>/bin/npx`. */
  prefix: string;
  /** The npx that runs everything else, an absolute path ({@link findRealNpx}). */
  realNpx: string;
  /** Gantry's ampx bin (`packages/ampx/bin/ampx.mjs`): a project's node_modules/.bin/ampx may link to it. */
  ownAmpx: string;
}

/**
 * Writes `<prefix>/bin/npx`, a POSIX `sh` script placed first on the PATH of builds and workflow actions. It
 * runs `<prefix>/bin/ampx` directly for `npx ampx …` (and `npx @aws-amplify/backend-cli …`) when npx itself would
 * run Gantry's ampx, or the real `@aws-amplify/backend-cli`, which builds replace with Gantry's ampx anyway
 * (ampx-handover.ts), and hands every other command, arguments unchanged, to the real npx. Written only when its
 * content changes, atomically.
 */
export function writeNpxFront(options: NpxFrontOptions): string {
  const file = join(options.prefix, 'bin', 'npx');
  const script = npxFrontScript(options);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== script) {
    const temp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, script, { mode: 0o755 });
      renameSync(temp, file);
    } finally {
      rmSync(temp, { force: true });
    }
  }
  return file;
}

/** Removes `<prefix>/bin/npx` if {@link writeNpxFront} wrote it. */
export function removeNpxFront(prefix: string): void {
  const file = join(prefix, 'bin', 'npx');
  if (isNpxFront(file)) rmSync(file, { force: true });
}

/**
 * The npx that the front hands commands to: the one beside the Node running Gantry (npm's own layout), else the
 * first on PATH that is not in `toolsBin` and not another Gantry's front.
 */
export function findRealNpx(toolsBin: string): string | undefined {
  const beside = join(dirname(process.execPath), 'npx');
  if (isExecutable(beside) && !isNpxFront(beside)) return beside;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || resolve(dir) === resolve(toolsBin)) continue;
    const candidate = resolve(dir, 'npx');
    if (isExecutable(candidate) && !isNpxFront(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return !!realpathSync(file);
  } catch {
    return false;
  }
}

function isNpxFront(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').slice(0, 200).includes(MARK);
  } catch {
    return false;
  }
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function npxFrontScript({ prefix, realNpx, ownAmpx }: NpxFrontOptions): string {
  try {
    // Compared with `readlink -f` of a project's node_modules/.bin/ampx.
    ownAmpx = realpathSync(ownAmpx);
  } catch {
    // Kept as given: a link to it then never matches, and npx decides.
  }
  let npmBuiltinConfig: string | undefined;
  try {
    // npm's own npmrc sits beside its bin directory (`<npm>/npmrc`, `<npm>/bin/npx-cli.js`).
    npmBuiltinConfig = join(dirname(dirname(realpathSync(realNpx))), 'npmrc');
  } catch {
    npmBuiltinConfig = undefined;
  }
  return `#!/bin/sh
${MARK}: written by Gantry (packages/gantry/src/server/npx-front.ts) when it prepares its build tools.
#
# Why it exists: \`npx <bin>\` loads npm's whole CLI (most of a second on a small machine) before the bin even
# starts, and builds and workflow actions run \`npx ampx …\` several times on a pipeline's critical path. When npx
# would run Gantry's ampx anyway, this runs it directly; every other command goes, arguments unchanged, to the
# real npx. It changes how fast, never which ampx runs.
#
# For \`npx ampx\`, npx runs the first of: an \`ampx\` bin of the project's own package.json, node_modules/.bin/ampx
# of the project's directory or any above it, <global prefix>/bin/ampx, the registry's \`ampx\` package. So
# Gantry's ampx is run directly only when the global prefix is Gantry's, no package.json above declares an
# \`ampx\` bin, every node_modules/.bin/ampx above is Gantry's own ampx or the bin of the real
# @aws-amplify/backend-cli (which builds never run: its bin hands over to Gantry's ampx, see ampx-handover.ts of
# Gantry), and no npm setting changes what npx runs or how (package, call, workspaces, node-options,
# script-shell, …). \`npx @aws-amplify/backend-cli[@version] …\` is \`npx ampx …\` under the same conditions.
# In doubt, the real npx decides.

real_npx=${quote(realNpx)}
prefix=${quote(prefix)}
own_ampx=${quote(ownAmpx)}
npm_builtin_config=${quote(npmBuiltinConfig ?? '')}

# Exits 0 when the real npx must decide.
npx_decides() {
  # npm settings from the environment. npm reads npm_config_* in any letter case: only lowercase ones are read here.
  env | awk '{ name = substr($0, 1, index($0, "=") - 1) }
    tolower(name) !~ /^npm_config_/ { next }
    name != tolower(name) { found = 1 }
    name ~ /^npm_config_(package|call|global|location|workspaces?|include_workspace_root|node_options|script_shell)$/ { found = 1 }
    END { exit !found }'
  [ $? -eq 1 ] || return 0
  here=$(pwd -P) || return 0
  [ "$here" != "$prefix" ] || return 0
  set --
  for start in "$PWD" "$here"; do
    [ "$start" != "\${walked-}" ] || continue
    walked=$start
    dir=$start
    while :; do
      if [ -f "$dir/node_modules/.bin/ampx" ]; then
        case "$(readlink -f "$dir/node_modules/.bin/ampx")" in
          "$own_ampx" | */@aws-amplify/backend-cli/lib/ampx.js) ;;
          *) return 0 ;;
        esac
      fi
      [ ! -f "$dir/package.json" ] || set -- "$@" "$dir/package.json"
      [ ! -f "$dir/.npmrc" ] || set -- "$@" "$dir/.npmrc"
      if [ -z "$dir" ] || [ "$dir" = / ]; then break; fi
      dir=\${dir%/*}
      [ -n "$dir" ] || dir=/
    done
  done
  for config in "\${npm_config_userconfig:-\${HOME:-/}/.npmrc}" "\${npm_config_globalconfig:-$prefix/etc/npmrc}" "$npm_builtin_config"; do
    [ -z "$config" ] || [ ! -f "$config" ] || set -- "$@" "$config"
  done
  [ $# -gt 0 ] || return 1
  # An \`ampx\` bin in a package.json (npx would install and run that package), or an npmrc setting that changes
  # what npx runs or how.
  grep -qE '"ampx"|/ampx"|"directories"|node[-_]options|script[-_]shell|^[[:space:]]*(package|call|global|location|workspaces?|include-workspace-root)[[:space:]]*=' "$@"
  [ $? -ne 1 ]
}

case "\${1-}" in
  ampx | @aws-amplify/backend-cli | @aws-amplify/backend-cli@*)
    if [ "\${npm_config_prefix-}" = "$prefix" ] && [ -f "$prefix/bin/ampx" ] && ! npx_decides; then
      shift
      exec "$prefix/bin/ampx" "$@"
    fi
    ;;
esac
exec "$real_npx" "$@"
`;
}
