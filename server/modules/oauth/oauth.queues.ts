export const REGISTER_WEBHOOKS_QUEUE = 'kommo.register-webhooks';
export const UNSUBSCRIBE_WEBHOOKS_QUEUE = 'kommo.unsubscribe-webhooks';
export const TOKEN_SWEEP_QUEUE = 'kommo.token-sweep';
export const LONG_LIVED_QUEUE = 'kommo.long-lived-bootstrap';
