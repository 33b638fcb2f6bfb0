import type { PolicySource } from '../PolicySource.js';

/**
 * Shell commands: hazards are forbidden; read-only programs run; everything else asks. The lists
 * of programs are here, in Cedar, so `localagent policy show --text` shows exactly what runs.
 */
export const SHELL_POLICIES: PolicySource = {
  name: 'defaults/shell.cedar',
  origin: 'default',
  text: `// Shell commands (shell.exec; shell.network for a task that asks for network). The facts come
// from argv: program (base name of argv[0]), subcommand (argv[1]), hazards found past wrappers
// (sudo, env, timeout…) and inside sh -c scripts, risky options, paths outside the workspace.

@id("shell.deny.rm-root")
@reason("rm -r on /, a top-level folder, the home folder or everything in the working folder (or rm --no-preserve-root) would delete the system or your data.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("rm-root") };

@id("shell.deny.mkfs")
@reason("Formatting a disk (mkfs, mke2fs, mkswap, wipefs…) destroys its data.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("mkfs") };

@id("shell.deny.dd-device")
@reason("dd onto a device file writes raw bytes over a disk, destroying its data.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("dd-device") };

@id("shell.deny.power")
@reason("The command shuts down or restarts the machine.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("power") };

@id("shell.deny.recursive-permissions")
@reason("chmod, chown or chgrp -R on /, a top-level folder or the home folder would change the permissions of the whole system or home folder.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("recursive-permissions") };

@id("shell.deny.pipe-to-shell")
@reason("Downloading a script and running it in a shell (curl … | sh) runs code nobody has seen.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("pipe-to-shell") };

@id("shell.deny.fork-bomb")
@reason("This is a fork bomb: it would exhaust the machine's processes.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("fork-bomb") };

@id("shell.deny.device-write")
@reason("Writing onto a disk device destroys its file systems.")
forbid (principal, action in Action::"shell", resource)
when { context.hazards.contains("device-write") };

@id("shell.allow.safe-program")
@reason("{program} only reads or prints, and is allowed without approval.")
permit (principal, action == Action::"shell.exec", resource)
when {
  !context.untrusted_program_path &&
  (["echo", "printf", "true", "false", "pwd", "date", "cat", "ls", "head", "tail", "wc", "grep", "sort", "uniq"].contains(context.program) ||
   (context.program == "git" && ["status", "diff", "log"].contains(context.subcommand))) &&
  context.risky_options.isEmpty() &&
  (context.outside_paths.isEmpty() || ["echo", "printf", "true", "false", "pwd", "date"].contains(context.program))
};

@id("shell.allow.configured")
@reason("{program} is in the configuration's security.allow_commands.")
permit (principal, action == Action::"shell.exec", resource)
when {
  context.allowed_by_config && !context.untrusted_program_path && context.risky_options.isEmpty() &&
  (context.outside_paths.isEmpty() || ["echo", "printf", "true", "false", "pwd", "date"].contains(context.program))
};

@id("shell.approve.program-path")
@reason("{program} is named by a path outside the system folders (/bin, /usr/bin, /usr/local/bin, /sbin, /usr/sbin, /opt/homebrew/bin); a program written into the workspace could be anything.")
permit (principal, action == Action::"shell.exec", resource)
when { context.approved && context.untrusted_program_path };

@id("shell.approve.git")
@reason("git {subcommand} can change the repository, talk to the network or (with options such as -c before the subcommand) run commands; only git status, diff and log run without approval.")
permit (principal, action == Action::"shell.exec", resource)
when {
  context.approved && !context.untrusted_program_path && !context.allowed_by_config &&
  context.program == "git" && !["status", "diff", "log"].contains(context.subcommand)
};

@id("shell.approve.interpreter")
@reason("{program} is an interpreter: it runs whatever code it is given, so a person must approve it (or list it in security.allow_commands).")
permit (principal, action == Action::"shell.exec", resource)
when {
  context.approved && !context.untrusted_program_path && !context.allowed_by_config &&
  ["node", "nodejs", "deno", "bun", "python", "python3", "python2", "perl", "ruby", "php", "lua", "osascript", "pwsh", "powershell"].contains(context.program)
};

@id("shell.approve.unlisted")
@reason("{program} is not among the programs allowed without approval (echo, printf, true, false, pwd, date, cat, ls, head, tail, wc, grep, sort, uniq, git status/diff/log).")
permit (principal, action == Action::"shell.exec", resource)
when {
  context.approved && !context.untrusted_program_path && !context.allowed_by_config && context.program != "git" &&
  !["echo", "printf", "true", "false", "pwd", "date", "cat", "ls", "head", "tail", "wc", "grep", "sort", "uniq"].contains(context.program) &&
  !["node", "nodejs", "deno", "bun", "python", "python3", "python2", "perl", "ruby", "php", "lua", "osascript", "pwsh", "powershell"].contains(context.program)
};

@id("shell.approve.risky-option")
@reason("{program} with {risky_options} can write files, set the clock or run other programs, so it needs approval.")
permit (principal, action == Action::"shell.exec", resource)
when {
  context.approved && !context.untrusted_program_path && !context.risky_options.isEmpty() &&
  (context.allowed_by_config ||
   ["echo", "printf", "true", "false", "pwd", "date", "cat", "ls", "head", "tail", "wc", "grep", "sort", "uniq"].contains(context.program) ||
   (context.program == "git" && ["status", "diff", "log"].contains(context.subcommand)))
};

@id("shell.approve.path-outside-workspace")
@reason("The argument {outside_paths} names a path outside the workspace; reading outside it needs approval.")
permit (principal, action == Action::"shell.exec", resource)
when {
  context.approved && !context.untrusted_program_path && context.risky_options.isEmpty() && !context.outside_paths.isEmpty() &&
  !["echo", "printf", "true", "false", "pwd", "date"].contains(context.program) &&
  (context.allowed_by_config ||
   ["cat", "ls", "head", "tail", "wc", "grep", "sort", "uniq"].contains(context.program) ||
   (context.program == "git" && ["status", "diff", "log"].contains(context.subcommand)))
};

@id("shell.approve.network")
@reason("The command asks for network access from inside the sandbox, so a person must approve it.")
permit (principal, action == Action::"shell.network", resource)
when { context.approved };
`,
};
