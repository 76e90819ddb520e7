export const BENCH_SECRET = 'bench_secret_0123456789abcdef';
export const BENCH_ACCOUNT = { id: 30000001, subdomain: 'acme' };
