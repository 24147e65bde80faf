/**
 * The baseline: a bare socket.io server with no auth, validation or database. A driver emits
 * `relay` with a 300-byte message; the server broadcasts it to every client in the room.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  socket.join('room');
  socket.on('relay', (msg: unknown) => {
    io.to('room').emit('msg', msg);
  });
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
