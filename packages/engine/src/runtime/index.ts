export { type CompiledWorkflow, compileWorkflow, createRun } from "./compile.js";
export { errorPayload } from "./errors.js";
export { SecretMasker } from "./mask.js";
export { lookup as lookupPath } from "./path.js";
export { newJobId, type RunOptions, type RunOutcome, WorkflowRun } from "./run.js";
export { containsTemplate, renderDeep, renderString, renderText, type TemplateScope } from "./templates.js";
export { outputPortsOf, type ValidationResult, validateWorkflow, type WorkflowProblem } from "./validate.js";
