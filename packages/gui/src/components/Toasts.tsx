import { useEffect } from "react";
import { useStores, useToasts } from "../app-context.js";

/** Notifications in the corner; each leaves after 6 s or when closed. */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const { toasts: store } = useStores();
  useEffect(() => {
    if (toasts.length === 0) return;
    const timer = setTimeout(() => store.getState().dismiss(toasts[0]?.id ?? ""), 6000);
    return () => clearTimeout(timer);
  }, [toasts, store]);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} role="status" className={`toast toast-${t.level}`}>
          <strong>{t.title}</strong>
          <span>{t.text}</span>
          <button
            type="button"
            aria-label="Dismiss notification"
            onClick={() => store.getState().dismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
