// Checks Kubernetes manifests offline against the API's OpenAPI schemas (kubernetes-models, and
// @kubernetes-models/prometheus-operator for the Prometheus operator's kinds): required fields, types, enums and
// formats of every document. Used by the test run in place of kubeconform, which Debian does not package.
//   kubectl kustomize k8s/overlays/prod | node eng/validate/manifests.mjs
// Prints one line per document and exits 1 when any document is invalid or of a kind it has no schema for.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as core from "kubernetes-models";
import * as operator from "@kubernetes-models/prometheus-operator";

// "apps/v1" -> the module's group export ("apps") and version ("v1"); "v1" is the core group.
function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const exportName = group === "" ? null : group.replace(/\.([a-z])/g, (_, c) => c.toUpperCase()).replace(/\./g, "");
  const fromCore = group === "" ? core.v1 : core[exportName]?.[version];
  const fromOperator = operator[exportName]?.[version];
  return (fromCore ?? fromOperator)?.[kind];
}

const input = readFileSync(process.argv[2] ?? 0, "utf8");
let failures = 0;
let count = 0;
for (const document of parseAllDocuments(input)) {
  if (document.errors.length > 0) {
    console.log(`INVALID YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    failures++;
    continue;
  }

  const object = document.toJS();
  if (object === null) {
    continue;
  }

  count++;
  const name = `${object.apiVersion}/${object.kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
  const Model = modelFor(object.apiVersion ?? "", object.kind ?? "");
  if (Model === undefined) {
    console.log(`UNKNOWN KIND ${name}: no schema for it here`);
    failures++;
    continue;
  }

  try {
    new Model(object).validate();
    console.log(`ok ${name}`);
  } catch (error) {
    console.log(`INVALID ${name}: ${error.message}`);
    failures++;
  }
}

console.log(`${count} documents, ${failures} invalid`);
process.exit(failures > 0 || count === 0 ? 1 : 0);
