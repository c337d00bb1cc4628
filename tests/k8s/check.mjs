// tests/k8s/check.mjs — deploy/k8s/ checked as far as a machine without a
// cluster can: every manifest validated against the Kubernetes API's own
// schemas (npm's kubernetes-models: types, required fields, enums), then
// what README "Scaling" and the Deployment's comments promise: probes on
// /readyz and /healthz, requests and limits, non-root, the keys from a
// Secret, the pipeline's schedule, and every flag the manifests give
// incomescore named in that command's --help (so a renamed flag fails
// here, not in a rollout).
//
//   node tests/k8s/check.mjs ROOT BIN
//
// Prints one line per failed check and "k8s: N passed, M failed".
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import YAML from "yaml";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";

const [root, bin] = process.argv.slice(2);
const dir = path.join(root, "deploy/k8s");
const models = {
    "v1/ConfigMap": ConfigMap, "v1/Secret": Secret, "v1/Service": Service,
    "v1/PersistentVolumeClaim": PersistentVolumeClaim,
    "apps/v1/Deployment": Deployment, "batch/v1/CronJob": CronJob,
    "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};
let passed = 0, failed = 0;
const want = (cond, what) => { if (cond) passed++; else { failed++; console.log("FAIL: " + what); } };

// every manifest parses and is valid for its kind
const objects = {};
for (const f of fs.readdirSync(dir).filter(f => f.endsWith(".yaml")).sort()) {
    if (f === "kustomization.yaml") continue;
    const o = YAML.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    const Model = models[o.apiVersion + "/" + o.kind];
    want(Model, `${f}: ${o.apiVersion} ${o.kind} is not a kind this check knows`);
    if (!Model) continue;
    try { new Model(o).validate(); passed++; }
    catch (e) { want(false, `${f}: ${e.message}`); }
    objects[f] = o;
}
// and the schema check does refuse a wrong manifest
try {
    const bad = structuredClone(objects["deployment.yaml"]);
    bad.spec.replicas = "two";
    new Deployment(bad).validate();
    want(false, "the schema check accepted replicas: \"two\"");
} catch { passed++; }

const k = YAML.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
const listed = [...k.resources].sort();
const present = Object.keys(objects).filter(f => f !== "secret.example.yaml").sort();
want(JSON.stringify(listed) === JSON.stringify(present),
     `kustomization resources ${listed} != manifests ${present}`);
want(!listed.includes("secret.example.yaml"), "the example Secret is applied");

const d = objects["deployment.yaml"];
const pod = d.spec.template.spec;
const c = pod.containers[0];
want(c.readinessProbe?.httpGet?.path === "/readyz", "readiness on /readyz");
want(c.livenessProbe?.httpGet?.path === "/healthz", "liveness on /healthz");
want(c.startupProbe?.httpGet?.path === "/readyz", "startup on /readyz");
want(c.resources?.requests?.cpu && c.resources?.requests?.memory, "api requests cpu and memory");
want(c.resources?.limits?.memory, "api memory limit");
want(pod.securityContext?.runAsNonRoot === true && pod.securityContext?.runAsUser === 10001,
     "api runs as the image's uid 10001, not root");
want(c.securityContext?.readOnlyRootFilesystem === true, "api root filesystem read-only");
want(d.spec.strategy?.rollingUpdate?.maxUnavailable === 0, "rollouts never lower capacity");
const keysVol = pod.volumes.find(v => v.name === "keys");
want(keysVol?.secret?.secretName === "incomescore", "API keys from the Secret");
want(c.args.includes("--api-keys"), "api requires keys");
const env = Object.fromEntries(c.env.map(e => [e.name, e]));
want(env.INCOMESCORE_AUDIT_URL?.valueFrom?.secretKeyRef, "audit URL (password) from the Secret");
want(env.AWS_SECRET_ACCESS_KEY?.valueFrom?.secretKeyRef, "bucket secret from the Secret");
want(env.INCOMESCORE_REPLICA?.valueFrom?.fieldRef?.fieldPath === "metadata.name",
     "each audit row names its pod");
const svc = objects["service.yaml"];
want(JSON.stringify(svc.spec.selector) === JSON.stringify(d.spec.selector.matchLabels),
     "the Service selects the Deployment's pods");
const hpa = objects["hpa.yaml"];
want(hpa.spec.scaleTargetRef.name === d.metadata.name, "the autoscaler scales the Deployment");
want(hpa.spec.minReplicas >= 2, "at least two replicas");
const cj = objects["cronjob.yaml"];
want(cj.spec.schedule === "0 3 * * *", "pipeline daily at 03:00");
want(cj.spec.concurrencyPolicy === "Forbid", "one pipeline run at a time");
const pc = cj.spec.jobTemplate.spec.template.spec.containers[0];
want(pc.args[0] === "pipeline", "the CronJob runs incomescore pipeline");
const secretKeys = Object.keys(objects["secret.example.yaml"].stringData).sort();
for (const ctr of [c, pc])
    for (const e of ctr.env.filter(e => e.valueFrom?.secretKeyRef))
        want(secretKeys.includes(e.valueFrom.secretKeyRef.key),
             `${e.name} reads key ${e.valueFrom.secretKeyRef.key}, not in the example Secret`);

// every flag the manifests pass is one the command documents
function flagsKnown(args) {
    const help = execFileSync(bin, [args[0], "--help"], { encoding: "utf8" });
    for (const a of args.filter(a => a.startsWith("--")))
        want(new RegExp("(^|[\\s\\[|])" + a + "(\\b|$)", "m").test(help),
             `${args[0]} --help does not know ${a}`);
}
flagsKnown(c.args);
flagsKnown(pc.args);
const auditValue = c.args[c.args.indexOf("--audit") + 1];
want(new RegExp("\\b" + auditValue + "\\b").test(
        execFileSync(bin, ["serve", "--help"], { encoding: "utf8" })),
     `serve --help does not name --audit ${auditValue}`);

console.log(`k8s: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
