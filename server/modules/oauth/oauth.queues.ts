export const REGISTER_WEBHOOKS_QUEUE = 'kommo.register-webhooks';
export const UNSUBSCRIBE_WEBHOOKS_QUEUE = 'kommo.unsubscribe-webhooks';
export const TOKEN_SWEEP_QUEUE = 'kommo.token-sweep';
export const LONG_LIVED_QUEUE = 'kommo.long-lived-bootstrap';
/** Did Kommo really revoke our tokens? Asked after an uninstall hook Kommo could not yet confirm. */
export const UNINSTALL_CHECK_QUEUE = 'kommo.uninstall-check';
