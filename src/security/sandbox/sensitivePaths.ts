/**
 * Files and folders under a user's home that hold credentials, keys, tokens or private history.
 * The sandbox puts an empty layer over the whole home anyway; this list matters when the
 * workspace is the home itself (or contains it), which brings the home back into view: these stay
 * hidden even then. Relative to the home folder.
 */
export const SENSITIVE_HOME_ENTRIES: readonly string[] = Object.freeze([
  // Keys and signing
  '.ssh',
  '.gnupg',
  '.pki',
  '.password-store',
  '.local/share/keyrings',
  '.config/op',
  // Cloud and cluster credentials
  '.aws',
  '.azure',
  '.config/gcloud',
  '.oci',
  '.kube',
  '.minikube',
  '.docker',
  '.config/doctl',
  '.config/rclone',
  '.s3cfg',
  '.boto',
  '.terraform.d',
  '.vault-token',
  // Package registries and forges
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pypirc',
  '.gem/credentials',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.config/gh',
  '.config/hub',
  '.config/glab-cli',
  '.git-credentials',
  '.netrc',
  // Databases
  '.pgpass',
  '.my.cnf',
  // Browsers and mail (cookies, saved passwords)
  '.mozilla',
  '.thunderbird',
  '.config/google-chrome',
  '.config/chromium',
  '.config/BraveSoftware',
  // Shell and REPL history (commands typed with secrets in them)
  '.bash_history',
  '.zsh_history',
  '.python_history',
  '.node_repl_history',
  '.psql_history',
  '.mysql_history',
  '.lesshst',
]);

/**
 * Sockets of services that give whoever connects full control of the machine (a container engine
 * runs a root container on request) or act for the user (the session bus talks to the keyring).
 * Hidden when a task is allowed the network; without the network all of `/run` is replaced.
 */
export const PRIVILEGED_SOCKETS: readonly string[] = Object.freeze([
  '/run/user',
  '/run/docker.sock',
  '/var/run/docker.sock',
  '/run/containerd',
  '/run/podman',
  '/run/dbus/system_bus_socket',
]);
