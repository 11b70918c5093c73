// Starts the fauxqs SQS emulator on 127.0.0.1 only (its own CLI listens on every interface).
// FAUXQS_PORT: port to listen on (0 = any free port); FAUXQS_HOST: host used in queue URLs.
// Prints "fauxqs listening on <url>" once ready, which the test fixture waits for.
import { buildApp } from "fauxqs";

const port = Number.parseInt(process.env.FAUXQS_PORT ?? "0", 10);
const app = buildApp({ logger: false, host: process.env.FAUXQS_HOST });
const address = await app.listen({ port, host: "127.0.0.1" });
console.log(`fauxqs listening on ${address}`);
