export { compileWorkflow, createRun, type CompiledWorkflow } from "./compile.js";
export { WorkflowRun, newJobId, type RunOptions, type RunOutcome } from "./run.js";
export { validateWorkflow, outputPortsOf, type WorkflowProblem, type ValidationResult } from "./validate.js";
export { renderString, renderText, renderDeep, containsTemplate, type TemplateScope } from "./templates.js";
export { SecretMasker } from "./mask.js";
export { lookup as lookupPath } from "./path.js";
export { errorPayload } from "./errors.js";
