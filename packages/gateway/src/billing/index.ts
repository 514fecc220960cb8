export { DEFAULT_PLANS, TIERS } from "./default-plans.js";
export { asTier, Entitlements } from "./entitlements.js";
export {
  LICENSE_KEY_FILE,
  loadOrCreateLicenseKey,
  publicKeyPem,
  signLicense,
  verifyLicense,
} from "./license.js";
export { type CheckoutRequest, ManualProvider, type PaymentProvider } from "./providers.js";
export { type BillingDeps, BillingServiceImpl, LICENSE_DEFAULT_VALIDITY_MS, toPlan } from "./service.js";
export { verifyWebhook, type WebhookEvent, WebhookEventSchema, webhookSignature } from "./webhook.js";
