export { parseVariableDocument, VARIABLE_NAME_RE, type VariableDefinition } from "./definition.js";
export { MemoryVariables } from "./memory.js";
