/** Shared by the Playwright config, the server start-up script and the specs. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 4310);
export const BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const ADMIN = { email: 'admin@e2e.example', password: 'e2e-admin-password', name: 'Admin' } as const;
