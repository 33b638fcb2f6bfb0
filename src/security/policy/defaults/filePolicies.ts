import type { PolicySource } from '../PolicySource.js';

/** File access: confined to the workspace; secrets, `.git` and deletions ask a person first. */
export const FILE_POLICIES: PolicySource = {
  name: 'defaults/files.cedar',
  origin: 'default',
  text: `// File access (fs.read, fs.write, fs.delete). The resource is the real path (symlinks resolved).

@id("fs.deny.no-workspace")
@reason("The request names no workspace, so the path cannot be checked.")
forbid (principal, action in Action::"fs", resource)
when { !context.workspace_known };

@id("fs.deny.outside-workspace")
@reason("{resource} is outside the workspace.")
forbid (principal, action in Action::"fs", resource)
when { context.workspace_known && !context.inside_workspace };

@id("fs.deny.device-file")
@reason("{resource} is a device file; tasks never read or write devices.")
forbid (principal, action in Action::"fs", resource)
when { context.device };

@id("fs.allow.read-workspace")
@reason("Reading inside the workspace is allowed.")
permit (principal, action == Action::"fs.read", resource)
when {
  context.inside_workspace &&
  !([".env", ".npmrc", ".pypirc", ".netrc", ".pgpass", ".git-credentials", "credentials", "credentials.json", ".htpasswd",
     "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"].contains(context.name) ||
    context.name like ".env.*" || context.name like "*.pem" || context.name like "*.key" ||
    context.name like "*.p12" || context.name like "*.pfx")
};

@id("fs.approve.secret-file")
@reason("{name} usually holds credentials; reading it would copy them into the run's results.")
permit (principal, action == Action::"fs.read", resource)
when {
  context.approved && context.inside_workspace &&
  ([".env", ".npmrc", ".pypirc", ".netrc", ".pgpass", ".git-credentials", "credentials", "credentials.json", ".htpasswd",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"].contains(context.name) ||
   context.name like ".env.*" || context.name like "*.pem" || context.name like "*.key" ||
   context.name like "*.p12" || context.name like "*.pfx")
};

@id("fs.allow.write-workspace")
@reason("Writing inside the workspace is allowed.")
permit (principal, action == Action::"fs.write", resource)
when { context.inside_workspace && !context.segments.contains(".git") };

@id("fs.approve.git-internals")
@reason("Writing inside .git can make git run commands (hooks, fsmonitor) on the next git call.")
permit (principal, action == Action::"fs.write", resource)
when { context.approved && context.inside_workspace && context.segments.contains(".git") };

@id("fs.approve.delete")
@reason("Deleting or replacing {resource} destroys data, so a person must approve it.")
permit (principal, action == Action::"fs.delete", resource)
when { context.approved && context.inside_workspace };
`,
};
