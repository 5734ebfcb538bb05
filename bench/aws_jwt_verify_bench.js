// The reference side of bench/authorizer.py: AWS's own verifier (aws-jwt-verify) on the same tokens and JWKS.
// Input (JSON file, argv[2]): {userPoolId, clientIds, jwks, tokens, iterations, warmup, tenantIdPattern, tiers}.
// Output (stdout, one JSON line): verifications, seconds, perSecond, perCpuSecond, p50Micros, p99Micros.
"use strict";
const fs = require("fs");
const { CognitoJwtVerifier } = require("aws-jwt-verify");

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const tenantId = new RegExp(input.tenantIdPattern);
const tiers = new Set(input.tiers);

// The same checks as the Python authorizer: RS256 Cognito ID token of one of our clients, plus the tenant claims.
const verifier = CognitoJwtVerifier.create({
  userPoolId: input.userPoolId,
  tokenUse: "id",
  clientId: input.clientIds,
  graceSeconds: 10,
  customJwtCheck: ({ payload }) => {
    const id = payload["custom:tenantId"];
    if (typeof id !== "string" || !tenantId.test(id)) throw new Error("bad custom:tenantId");
    if (!tiers.has(payload["custom:tier"])) throw new Error("bad custom:tier");
  },
});
verifier.cacheJwks(input.jwks);

const tokens = input.tokens;
for (const token of tokens) verifier.verifySync(token); // every token verifies (and keys are warm)
let refused = false;
try {
  verifier.verifySync(input.tampered);
} catch {
  refused = true;
}
if (!refused) throw new Error("aws-jwt-verify accepted the tampered token");

for (let i = 0; i < input.warmup; i++) verifier.verifySync(tokens[i % tokens.length]);

const latencies = new Float64Array(input.iterations);
const cpuStart = process.cpuUsage();
const start = process.hrtime.bigint();
for (let i = 0; i < input.iterations; i++) {
  const t0 = process.hrtime.bigint();
  verifier.verifySync(tokens[i % tokens.length]);
  latencies[i] = Number(process.hrtime.bigint() - t0) / 1000;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
latencies.sort();
const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(
  JSON.stringify({
    verifications: input.iterations,
    seconds,
    perSecond: input.iterations / seconds,
    perCpuSecond: input.iterations / cpuSeconds,
    p50Micros: pick(0.5),
    p99Micros: pick(0.99),
    node: process.version,
    awsJwtVerify: JSON.parse(fs.readFileSync(`${__dirname}/node_modules/aws-jwt-verify/package.json`, "utf8")).version,
  }),
);
