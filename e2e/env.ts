/** Shared by the Playwright config, the server start-up script and the specs. */
import { tmpdir } from 'node:os';

export const E2E_PORT = Number(process.env.E2E_PORT ?? 4310);
export const BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const ADMIN = {
  email: 'admin@e2e.example',
  password: 'e2e admin lantern orchard 9',
  name: 'Admin',
} as const;

/** Where e2e/start-server.ts records the run's database, for specs that arrange data in bulk. */
export const SERVER_INFO_FILE = `${tmpdir()}/blendboard-e2e-${E2E_PORT}.json`;
