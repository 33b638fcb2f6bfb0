/** One `.cedar` text: a built-in default file or a user's file under `<home>/policies/`. */
export interface PolicySource {
  /** How people see it: `defaults/shell.cedar`, or the user file's path. */
  name: string;
  /** Built into LocalAgent, or written by the user (which may replace a default by its `@id`). */
  origin: 'default' | 'user';
  text: string;
}
