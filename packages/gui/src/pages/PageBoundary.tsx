import { Component, type ReactNode } from "react";

/**
 * Keeps one page's failure (a render error, or a lazily loaded chunk that is gone after a redeploy) from blanking
 * the whole app: the rest of the GUI stays usable and the page says what to do.
 */
export class PageBoundary extends Component<{ children: ReactNode }, { failed: string | undefined }> {
  override state: { failed: string | undefined } = { failed: undefined };

  static getDerivedStateFromError(err: unknown): { failed: string } {
    return { failed: err instanceof Error ? err.message : String(err) };
  }

  override render(): ReactNode {
    if (this.state.failed === undefined) return this.props.children;
    return (
      <div role="alert" className="error">
        <p>
          This page could not be shown ({this.state.failed}). The GUI may have been updated: reload the page.
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
