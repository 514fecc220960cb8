/**
 * The one client route the GUI reads from the address bar: the manual payment provider's `payment_url`
 * (`/billing/checkout/<checkout_id>`, served by the gateway's SPA fallback) opens the billing page on that checkout.
 */
export function checkoutIdFromPath(pathname: string): string | undefined {
  const m = /^\/billing\/checkout\/([A-Za-z0-9_-]{1,200})\/?$/.exec(pathname);
  return m?.[1];
}
