import { createStore } from "zustand/vanilla";

export interface Toast {
  id: string;
  level: "info" | "success" | "warning" | "error";
  title: string;
  text: string;
}

export interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, "id"> & { id?: string }): void;
  dismiss(id: string): void;
}

let seq = 0;

/** Notifications shown in the corner; at most `max` at a time, oldest dropped first. */
export function createToastStore(max = 5) {
  return createStore<ToastState>()((set) => ({
    toasts: [],
    push: (t) =>
      set((s) => {
        const toast: Toast = { ...t, id: t.id ?? `t${++seq}` };
        if (s.toasts.some((x) => x.id === toast.id)) return s;
        return { toasts: [...s.toasts, toast].slice(-max) };
      }),
    dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  }));
}

export type ToastStore = ReturnType<typeof createToastStore>;
