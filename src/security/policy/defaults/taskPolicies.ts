import type { PolicySource } from '../PolicySource.js';

/** Models, transforms, approvals, the operating system, and actions nobody wrote a rule for. */
export const TASK_POLICIES: PolicySource = {
  name: 'defaults/tasks.cedar',
  origin: 'default',
  text: `// The other task kinds, and actions this version of LocalAgent does not know.

@id("ai.allow.generate")
@reason("Asking a configured model is allowed; budgets and model selection limit it.")
permit (principal, action == Action::"ai.generate", resource);

@id("transform.allow.evaluate")
@reason("A JSONata expression only computes a value from the run's data.")
permit (principal, action == Action::"transform.evaluate", resource);

@id("approval.allow.request")
@reason("Asking a person for approval is always allowed.")
permit (principal, action == Action::"approval.request", resource);

@id("os.approve.input")
@reason("Typing or clicking on the user's behalf needs approval.")
permit (principal, action == Action::"os.input", resource)
when { context.approved };

@id("os.approve.screenshot")
@reason("A screenshot can capture anything on the screen, so it needs approval.")
permit (principal, action == Action::"os.screenshot", resource)
when { context.approved };

@id("fs.approve.unknown-action")
@reason("{requested_action} is not a file action the default policy knows.")
permit (principal, action == Action::"unknown", resource)
when { context.approved && context.area == "fs" };

@id("os.approve.default")
@reason("{requested_action} acts on the operating system; the default policy asks first.")
permit (principal, action == Action::"unknown", resource)
when { context.approved && context.area == "os" };

@id("default.approve.unknown-action")
@reason("The default policy has no rule for {requested_action}, so a person decides.")
permit (principal, action == Action::"unknown", resource)
when { context.approved && !["fs", "os", "api"].contains(context.area) };
`,
};
