export { nodesFromEvents } from "../store/execution-nodes.js";
