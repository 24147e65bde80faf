/**
 * `npm run dev`: the API server (restarted on change by tsx watch) and Vite with hot reload, which
 * proxies /api and /socket.io to it. Open http://127.0.0.1:5173. Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';

const children = [
  spawn(
    process.execPath,
    ['node_modules/tsx/dist/cli.mjs', 'watch', '--clear-screen=false', 'server/main.ts'],
    {
      stdio: 'inherit',
      env: { ...process.env, WEB_DIST: process.env.WEB_DIST ?? 'dist' },
    },
  ),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js'], { stdio: 'inherit' }),
];
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', stop);
