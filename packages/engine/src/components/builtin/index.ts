import { ComponentRegistry } from "../registry.js";
import type { ComponentDefinition } from "../types.js";
import { codeJavascript, expression } from "./code.js";
import { filterArray, jsonParse, jsonStringify, pickFields, setData, sortArray, template } from "./data.js";
import { fileRead } from "./file_read.js";
import { fileWrite } from "./file_write.js";
import {
  delay,
  ifCondition,
  loop,
  merge,
  stopWorkflow,
  subWorkflow,
  switchComponent,
  throwError,
} from "./flow.js";
import { httpRequest } from "./http_request.js";
import { llmChat } from "./llm_chat.js";
import { notifyGui } from "./notify_gui.js";
import { debugPopup, logMessage } from "./output.js";
import { shellCommand } from "./shell_command.js";
import { cronTrigger, intervalTrigger, manualTrigger, webhookTrigger } from "./triggers.js";
import { variableGet, variableSet } from "./variables.js";

/** Every built-in component of SPEC section 6, in palette order. */
export const BUILTIN_COMPONENTS: readonly ComponentDefinition[] = [
  manualTrigger,
  webhookTrigger,
  cronTrigger,
  intervalTrigger,
  ifCondition,
  switchComponent,
  merge,
  loop,
  delay,
  stopWorkflow,
  throwError,
  subWorkflow,
  setData,
  template,
  jsonParse,
  jsonStringify,
  filterArray,
  sortArray,
  pickFields,
  expression,
  variableGet,
  variableSet,
  logMessage,
  debugPopup,
  codeJavascript,
  httpRequest,
  fileRead,
  fileWrite,
  shellCommand,
  notifyGui,
  llmChat,
];

/** A registry holding every built-in component. */
export function createBuiltinRegistry(): ComponentRegistry {
  const registry = new ComponentRegistry();
  for (const component of BUILTIN_COMPONENTS) registry.register(component, "builtin");
  return registry;
}
