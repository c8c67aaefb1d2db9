import * as net from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not read the port the OS picked'));
        }
      });
    });
  });
}

/** `preferred` if it is free on 127.0.0.1, otherwise the next free one above it (up to 100 tries). */
export async function freePortFrom(preferred: number): Promise<number> {
  for (let port = preferred; port < preferred + 100 && port <= 65535; port++) {
    if (await isFree(port)) {
      return port;
    }
  }
  throw new Error(`no free port on ${LOOPBACK} in ${preferred}..${preferred + 99}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}
