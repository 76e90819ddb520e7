import { defineConfig } from 'drizzle-kit';

// Schema changes go through `npm run db:generate`; migrations are applied at boot and in tests.
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});
