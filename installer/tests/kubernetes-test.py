#!/usr/bin/env python3
"""Validates installer/kubernetes/*.yaml against the Kubernetes v1.30 JSON schemas vendored in
tests/data/kubernetes (strict: unknown fields are errors), without a cluster or network, and checks the
properties issue 17 asks of the agents' Job. Usage: kubernetes-test.py SOURCE_DIR"""
import json
import pathlib
import sys

import jsonschema
import yaml

SCHEMAS = {
    ("batch/v1", "Job"): "job-batch-v1.json",
    ("v1", "Pod"): "pod-v1.json",
    ("v1", "Service"): "service-v1.json",
    ("v1", "Secret"): "secret-v1.json",
}


def main(source: pathlib.Path) -> int:
    schema_dir = source / "tests/data/kubernetes/v1.30.0-standalone-strict"
    failures = 0
    seen = {}
    for manifest in sorted((source / "installer/kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(manifest.read_text()):
            if doc is None:
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            if key not in SCHEMAS:
                print(f"{manifest.name}: {key} has no vendored schema; add one to {schema_dir}")
                failures += 1
                continue
            schema = json.loads((schema_dir / SCHEMAS[key]).read_text())
            validator = jsonschema.Draft7Validator(schema)
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            for e in errors:
                print(f"{manifest.name}: {doc['kind']}/{doc['metadata']['name']}: "
                      f"{'/'.join(map(str, e.path))}: {e.message}")
            failures += len(errors)
            seen[doc["kind"]] = doc
            print(f"{manifest.name}: {doc['kind']}/{doc['metadata']['name']}: "
                  f"{'valid' if not errors else 'INVALID'}")
    for kind in ("Job", "Pod", "Service", "Secret"):
        if kind not in seen:
            print(f"missing a {kind}")
            failures += 1
    job = seen.get("Job", {}).get("spec", {})
    expectations = {
        "completionMode is Indexed": job.get("completionMode") == "Indexed",
        "backoffLimitPerIndex is 0": job.get("backoffLimitPerIndex") == 0,
        "a podFailurePolicy fails the Job": any(r.get("action") == "FailJob"
                                               for r in job.get("podFailurePolicy", {}).get("rules", [])),
        "activeDeadlineSeconds bounds the Job": job.get("activeDeadlineSeconds", 0) > 0,
        "agents request CPU": all("cpu" in c.get("resources", {}).get("requests", {})
                                  for c in job.get("template", {}).get("spec", {}).get("containers", [])),
    }
    for what, ok in expectations.items():
        if not ok:
            print(f"agents-job.yaml: expected: {what}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
