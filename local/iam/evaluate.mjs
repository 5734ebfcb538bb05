// Evaluates a batch of IAM requests with @cloud-copilot/iam-simulate: identity policies, a resource
// policy (a bucket policy, or a role's trust policy for sts:*), conditions and policy variables such
// as ${aws:PrincipalTag/TenantId}. Used by local/iam/evaluator.py.
//
// stdin:  {"policies": {"<name>": <policy document>, ...},
//          "requests": [{"principal": "<arn>", "action": "s3:GetObject", "resource": "<arn>",
//                        "account": "<12 digits>", "context": {"<key>": "<value>" | ["<value>", ...]},
//                        "identityPolicies": ["<name>", ...], "resourcePolicy": "<name>" | null}, ...]}
// stdout: {"decisions": [{"result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | null,
//                         "error": "<why the request could not be evaluated>" | null,
//                         "ignoredContextKeys": ["<key>", ...]}, ...]}   (one per request, in order)
import { runSimulation } from '@cloud-copilot/iam-simulate'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

function policy(policies, name) {
  if (!(name in policies)) throw new Error(`no policy named ${JSON.stringify(name)} in the batch`)
  return policies[name]
}

async function decide(policies, request) {
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context ?? {}
    },
    identityPolicies: (request.identityPolicies ?? []).map((name) => ({ name, policy: policy(policies, name) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy ? policy(policies, request.resourcePolicy) : undefined
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') {
    return { result: null, error: JSON.stringify(response.errors), ignoredContextKeys: [] }
  }
  if (response.resultType !== 'single') {
    // A wildcard in the request's resource would be several simulations: the matrix names one object.
    return { result: null, error: `expected one resource, got a ${response.resultType} result`, ignoredContextKeys: [] }
  }
  return { result: response.overallResult, error: null, ignoredContextKeys: response.result.ignoredContextKeys ?? [] }
}

const batch = await readStdin()
const decisions = []
for (const request of batch.requests) {
  decisions.push(await decide(batch.policies ?? {}, request))
}
process.stdout.write(JSON.stringify({ decisions }))
