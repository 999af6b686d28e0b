// One GraphQL subscription held by the graphql-ws client (over `ws`), for Latchkey's integration
// tests (tests/src/js_client.rs runs it from a directory holding node_modules).
//
//   node subscribe.mjs <ws url> <connectionParams JSON> <query> <variables JSON>
//
// Prints one JSON line per happening on stdout:
//   {"kind":"ready"}                       the server acknowledged the connection (connection_ack)
//                                          and the subscribe message has been handed to the socket
//   {"kind":"next","payload":<result>}     one ExecutionResult ({data, errors?})
//   {"kind":"error","error":<error>}       a close ({code, reason}, with the socket's error
//                                          `message` if it had one), the GraphQL errors of an
//                                          `error` message (an array), or another failure
//                                          ({message})
//   {"kind":"complete"}                    the server completed the subscription
// and exits 0 after complete or error. A close of the socket before completion is reported as an
// error and ends the script: the client is not allowed to reconnect (graphql-ws would, after a
// 1000 close, whatever retryAttempts says). The script also exits when its stdin closes, so it
// does not outlive the test that started it.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, paramsJson, query, variablesJson] = process.argv.slice(2);
if (url === undefined || query === undefined) {
  process.stderr.write('usage: subscribe.mjs <ws url> <connectionParams JSON> <query> <variables JSON>\n');
  process.exit(2);
}
const connectionParams = JSON.parse(paramsJson || 'null') ?? undefined;
const variables = JSON.parse(variablesJson || 'null') ?? undefined;

let finished = false;
let ready = false;
// The last error the socket reported (a refused connection, say), told with the close after it.
let socketError;

function print(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function finish(line) {
  if (finished) return;
  finished = true;
  process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(0));
}

function printReady() {
  if (finished || ready) return;
  ready = true;
  print({ kind: 'ready' });
}

function describe(error) {
  if (Array.isArray(error)) return error;
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const close = { code: error.code, reason: String(error.reason) };
    if (socketError !== undefined) close.message = socketError;
    return close;
  }
  if (error instanceof Error) return { message: error.message };
  if (error && typeof error === 'object' && 'message' in error) {
    // ws's ErrorEvent (a refused connection, say).
    return { message: String(error.message) };
  }
  return { message: String(error) };
}

process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();

const client = createClient({
  url,
  connectionParams,
  webSocketImpl: WebSocket,
  // The subscription opens the connection; nothing is retried.
  lazy: true,
  retryAttempts: 0,
  shouldRetry: () => false,
  on: {
    connected: () => {
      // The subscribe message goes out in the microtasks after this listener: print once it has.
      setImmediate(printReady);
    },
    error: (error) => {
      socketError = describe(error).message;
    },
    closed: (event) => finish({ kind: 'error', error: describe(event) }),
  },
});

client.subscribe(
  { query, variables },
  {
    next: (payload) => {
      if (finished) return;
      printReady();
      print({ kind: 'next', payload });
    },
    error: (error) => finish({ kind: 'error', error: describe(error) }),
    complete: () => finish({ kind: 'complete' }),
  },
);
