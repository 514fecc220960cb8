import { SHORTCUTS } from "../lib/shortcuts.js";

/** The "?" button and its popover listing every keyboard shortcut of the editor. */
export function ShortcutsHelp(props: { open: boolean; onToggle: () => void }) {
  return (
    <span className="shortcuts">
      <button
        type="button"
        aria-label="Keyboard shortcuts"
        aria-expanded={props.open}
        aria-controls="shortcuts-help"
        title="Keyboard shortcuts (?)"
        onClick={props.onToggle}
      >
        ?
      </button>
      {props.open && (
        <div
          id="shortcuts-help"
          className="shortcuts-popover"
          role="dialog"
          aria-label="Keyboard shortcuts help"
        >
          <table>
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.keys}>
                  <td>
                    <kbd>{s.keys}</kbd>
                  </td>
                  <td>{s.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Ctrl is Cmd on a Mac. Shortcuts do not fire while you type in a field.</p>
        </div>
      )}
    </span>
  );
}
