export { MemoryVariables } from "./memory.js";
export { parseVariableDocument, VARIABLE_NAME_RE, type VariableDefinition } from "./definition.js";
