/** Who called the widget API: from the verified X-Auth-Token only, never from a request body. */
export interface WidgetAuth {
  accountId: number;
  userId: number;
  subdomain: string | null;
  /** The token's `is_admin` claim; null when Kommo did not include one (then the synced user decides). */
  isAdmin: boolean | null;
}

/** Hono's per-request variables, and nothing else: services reach routes as arguments. */
export type AppEnv = {
  Variables: { requestId: string; auth: WidgetAuth };
};
