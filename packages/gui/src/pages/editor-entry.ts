// The editor's entry for the lazy import in App.tsx: the canvas stylesheet travels with the editor, so neither the
// canvas library nor its CSS is part of the first page load.
import "@xyflow/react/dist/style.css";

export { EditorPage } from "./EditorPage.js";
