/** What a payment provider is told about a new checkout. */
export interface CheckoutRequest {
  checkout_id: string;
  address: string;
  plan_id: string;
  duration_months: number;
  amount: number;
  currency: string;
}

/**
 * A payment provider. It creates the payment page; completion arrives as a signed webhook
 * (`POST /billing/webhook/<id>`) or an admin's manual completion.
 */
export interface PaymentProvider {
  readonly id: string;
  /** Returns where the user pays. */
  createPayment(request: CheckoutRequest): Promise<{ payment_url: string }>;
}

/**
 * The built-in `manual` provider: the payment page is the gateway's own checkout page, and an operator (or a
 * signed webhook) completes the checkout.
 */
export class ManualProvider implements PaymentProvider {
  readonly id = "manual";
  /** `baseUrl`: the gateway's public address, or a function giving it at the time of each checkout. */
  constructor(private readonly baseUrl: string | (() => string)) {}

  async createPayment(request: CheckoutRequest): Promise<{ payment_url: string }> {
    const base = typeof this.baseUrl === "function" ? this.baseUrl() : this.baseUrl;
    return { payment_url: `${base.replace(/\/+$/, "")}/billing/checkout/${request.checkout_id}` };
  }
}
