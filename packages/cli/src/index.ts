export { main, buildProgram } from "./program.js";
export { EXIT, UsageError } from "./errors.js";
