// Starts the fauxqs SQS emulator on 127.0.0.1 only (its own CLI listens on every interface).
// FAUXQS_PORT: port to listen on (0 = any free port); FAUXQS_HOST: host used in queue URLs.
// FAUXQS_ACCESS_KEYS: optional comma-separated access key ids the emulator knows. When set, a request signed
// with any other key (or not signed) is refused as SQS refuses it (400 UnrecognizedClientException), so tests
// can show wrong credentials failing; like s3rver, only the key id is checked, not the signature.
// Prints "fauxqs listening on <url>" once ready, which the test fixtures wait for.
import { buildApp } from "fauxqs";

const port = Number.parseInt(process.env.FAUXQS_PORT ?? "0", 10);
const knownKeys = (process.env.FAUXQS_ACCESS_KEYS ?? "").split(",").map((key) => key.trim()).filter((key) => key.length > 0);
const app = buildApp({ logger: false, host: process.env.FAUXQS_HOST });

if (knownKeys.length > 0) {
  app.addHook("onRequest", async (request, reply) => {
    const authorization = request.headers["authorization"] ?? "";
    const keyId = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
    if (keyId !== undefined && knownKeys.includes(keyId)) {
      return;
    }
    reply
      .code(400)
      .header("content-type", "application/x-amz-json-1.0")
      .header("x-amzn-query-error", "InvalidClientTokenId;Sender")
      .send({
        __type: "com.amazon.coral.service#UnrecognizedClientException",
        message: "The security token included in the request is invalid.",
      });
    return reply;
  });
}

const address = await app.listen({ port, host: "127.0.0.1" });
console.log(`fauxqs listening on ${address}`);
