"""The deployment files agree with the code and with each other: every service deployed twice from the one
image, probed where it listens, with its own NATS user; three NATS servers fsync'ing every write; streams at
three replicas. No Docker or Kubernetes here: these read the files (CI also validates docker-compose.yml
against the Compose Specification's schema, .ci/check-compose.mjs, the Kubernetes manifests against
Kubernetes' own schemas, and scans both them and the Dockerfile with checkov, .checkov.yaml)."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from ogi import accounts, permissions
from ogi.up import SERVICES

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"


def kubernetes_objects() -> list[dict]:
    return [document for document in yaml.safe_load_all((KUBERNETES / "ogi.yaml").read_text()) if document]


def of_kind(kind: str) -> dict[str, dict]:
    return {item["metadata"]["name"]: item for item in kubernetes_objects() if item["kind"] == kind}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # PyYAML resolves anchors and `<<`


def test_every_kubernetes_file_parses():
    for path in KUBERNETES.glob("*.yaml"):
        assert list(yaml.safe_load_all(path.read_text())), path


def test_each_service_is_a_deployment_of_two_replicas_of_the_one_image_probed_on_its_port():
    deployments = of_kind("Deployment")
    assert set(deployments) == {f"ogi-{service}" for service in SERVICES}
    images = {job["spec"]["template"]["spec"]["containers"][0]["image"] for job in of_kind("Job").values()}
    for service in SERVICES:
        spec = deployments[f"ogi-{service}"]["spec"]
        assert spec["replicas"] == 2
        assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
        (container,) = spec["template"]["spec"]["containers"]
        images.add(container["image"])
        assert container["args"] == ["service", service]
        port_names = {port["name"] for port in container["ports"]}
        assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert "http" in port_names
        assert {port["containerPort"] for port in container["ports"]} == {int(of_kind("ConfigMap")["ogi-config"]["data"]["OGI_HTTP_PORT"])}
        volumes = {volume["name"]: volume for volume in spec["template"]["spec"]["volumes"]}
        assert volumes["nats-credentials"]["secret"]["items"] == [{"key": f"{service}.json", "path": "nats.json"}]  # its own user only
        assert set(volumes) == {"nats-credentials"} | ({"database", "log-signing-key"} if service == "indicators" else set())
    assert len(images) == 1


def test_kubernetes_services_select_deployments_and_their_named_ports():
    deployments = of_kind("Deployment")
    for name, service in of_kind("Service").items():
        target = deployments[name]["spec"]["template"]
        assert service["spec"]["selector"].items() <= target["metadata"]["labels"].items()
        port_names = {port["name"] for port in target["spec"]["containers"][0]["ports"]}
        assert {port["targetPort"] for port in service["spec"]["ports"]} <= port_names


def test_kubernetes_config_asks_for_three_replicas_of_three_servers():
    config = of_kind("ConfigMap")["ogi-config"]["data"]
    assert config["OGI_REPLICAS"] == "3"
    assert len(config["OGI_NATS_URL"].split(",")) == 3
    (job,) = of_kind("Job").values()
    assert job["spec"]["template"]["spec"]["volumes"][0]["secret"]["items"] == [{"key": "admin.json", "path": "nats.json"}]


def test_helm_values_make_a_three_node_jetstream_cluster_that_fsyncs_every_write_with_every_user():
    values = yaml.safe_load((KUBERNETES / "nats-values.yaml").read_text())
    assert values["config"]["cluster"] == {"enabled": True, "replicas": 3}
    jetstream = values["config"]["jetstream"]
    assert jetstream["enabled"] and jetstream["fileStore"]["enabled"]
    assert jetstream["merge"]["sync_interval"] == "always"
    assert values["config"]["merge"]["$include"] == "../ogi-auth/auth.conf"  # deploy/nats/auth.conf, from a ConfigMap
    passwords = {accounts.environment_variable(user) for user in permissions.users()}
    assert set(values["container"]["env"]) == passwords


def test_compose_runs_every_service_twice_with_a_health_check_against_streams_at_three_replicas():
    services = compose()["services"]
    for service in SERVICES:
        definition = services[service]
        assert definition["deploy"]["replicas"] == 2, service
        assert "/healthz" in " ".join(definition["healthcheck"]["test"]), service
        assert definition["environment"]["OGI_REPLICAS"] == "3", service
        assert definition["depends_on"]["streams"] == {"condition": "service_completed_successfully"}, service
        published = [port.split(":")[0] for port in definition.get("ports", [])]
        assert all("-" in port for port in published), f"{service}: two replicas cannot share one host port"
    assert services["streams"]["environment"]["OGI_REPLICAS"] == "3"
    assert services["indicators"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("node", ["nats-1", "nats-2", "nats-3"])
def test_each_compose_nats_node_fsyncs_every_write_routes_to_all_three_and_loads_the_accounts(node):
    mounts = compose()["services"][node]["volumes"]
    config_file = next(mount.split(":")[0] for mount in mounts if mount.endswith(":/etc/nats/nats.conf:ro"))
    config = (ROOT / config_file).read_text()
    assert re.search(r"^\s*sync_interval:\s*always\s*$", config, re.MULTILINE)
    assert re.search(r"^include ./auth.conf$", config, re.MULTILINE), "every node loads the one accounts config"
    assert "./deploy/nats/auth.conf:/etc/nats/auth.conf:ro" in mounts
    assert f"server_name: {node}" in config
    assert {f"nats-route://nats-{n}:6222" for n in (1, 2, 3)} <= set(re.findall(r"nats-route://[\w-]+:\d+", config))


def test_the_image_holds_every_package_the_project_installs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) \./\1$", dockerfile, re.MULTILINE))
    included = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {pattern.rstrip("*") for pattern in included} <= copied


def pod_specs() -> dict[str, dict]:
    """The pod template of the streams Job and of every Deployment, by name."""
    workloads = of_kind("Job") | of_kind("Deployment")
    return {name: workload["spec"]["template"]["spec"] for name, workload in workloads.items()}


def test_every_kubernetes_object_lives_in_the_namespace_of_namespace_yaml():
    (namespace,) = yaml.safe_load_all((KUBERNETES / "namespace.yaml").read_text())
    assert namespace["kind"] == "Namespace" and namespace["metadata"]["name"] == "ogi-tracker"
    assert {item["metadata"].get("namespace") for item in kubernetes_objects()} == {"ogi-tracker"}


def test_every_pod_runs_as_the_images_user_without_privileges_a_token_or_a_writable_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    uid, gid = int(_found(r"useradd .*--uid (\d+)", dockerfile)), int(_found(r"groupadd .*--gid (\d+)", dockerfile))
    for name, pod in pod_specs().items():
        assert pod["automountServiceAccountToken"] is False, name
        # The indicators service's group owns its secret files (the log's signing key, mode 0440).
        group_owns_secrets = {"fsGroup": gid} if name == "ogi-indicators" else {}
        expected = {"runAsNonRoot": True, "runAsUser": uid, "runAsGroup": gid, "seccompProfile": {"type": "RuntimeDefault"}} | group_owns_secrets
        assert pod["securityContext"] == expected, name
        (container,) = pod["containers"]
        assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}, name
        assert "volumeMounts" in container and all(mount["readOnly"] for mount in container["volumeMounts"]), name


def test_every_pod_asks_for_and_is_limited_in_processor_and_memory():
    for name, pod in pod_specs().items():
        (container,) = pod["containers"]
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) == {"cpu", "memory"}, (name, bound)


def test_the_one_image_is_pinned_by_digest():
    images = {pod["containers"][0]["image"] for pod in pod_specs().values()}
    (image,) = images
    assert re.fullmatch(r"[\w.\-/]+@sha256:[0-9a-f]{64}", image), "an operator pins the image they built (README.md)"


def test_indicators_reads_its_database_url_from_the_mounted_secret_not_from_its_environment():
    pod = pod_specs()["ogi-indicators"]
    (container,) = pod["containers"]
    environment = {variable["name"]: variable for variable in container["env"]}
    assert "OGI_DATABASE_URL" not in environment
    (mount,) = [mount for mount in container["volumeMounts"] if mount["name"] == "database"]
    assert environment["OGI_DATABASE_URL_FILE"]["value"] == f"{mount['mountPath']}/url"
    (volume,) = [volume for volume in pod["volumes"] if volume["name"] == "database"]
    assert volume["secret"] == {"secretName": "ogi-database", "items": [{"key": "url", "path": "url"}]}
    for name, other in pod_specs().items():
        assert all("valueFrom" not in variable for variable in other["containers"][0].get("env", [])), name


def test_network_policies_shut_every_pod_but_for_nats_dns_traces_the_database_and_the_http_ports():
    policies = of_kind("NetworkPolicy")
    everyone = {"matchLabels": {"app.kubernetes.io/part-of": "ogi-tracker"}}
    workloads = of_kind("Job") | of_kind("Deployment")
    assert all(everyone["matchLabels"].items() <= workload["spec"]["template"]["metadata"]["labels"].items() for workload in workloads.values())
    deny = policies["ogi-default-deny"]["spec"]
    assert deny == {"podSelector": everyone, "policyTypes": ["Ingress", "Egress"]}

    egress = policies["ogi-egress"]["spec"]
    assert egress["podSelector"] == everyone
    allowed_ports = {port["port"] for rule in egress["egress"] for port in rule["ports"]}
    nats_ports = {int(url.rsplit(":", 1)[1]) for url in of_kind("ConfigMap")["ogi-config"]["data"]["OGI_NATS_URL"].split(",")}
    traces_port = int(of_kind("ConfigMap")["ogi-config"]["data"]["OTEL_EXPORTER_OTLP_ENDPOINT"].rsplit(":", 1)[1])
    assert allowed_ports == nats_ports | {53, traces_port}

    database = policies["ogi-indicators-database"]["spec"]
    assert database["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "ogi-indicators"}}
    assert [rule["ports"] for rule in database["egress"]] == [[{"protocol": "TCP", "port": 5432}]]

    (served,) = policies["ogi-http-api"]["spec"]["podSelector"]["matchExpressions"]
    assert set(served["values"]) == {service["spec"]["selector"]["app.kubernetes.io/name"] for service in of_kind("Service").values()}
    for name in ("ogi-http-api", "ogi-metrics-scraping"):
        assert [rule["ports"] for rule in policies[name]["spec"]["ingress"]] == [[{"protocol": "TCP", "port": "http"}]], name


def _found(pattern: str, text: str) -> str:
    """The first group of `pattern` in `text`, which must hold it."""
    match = re.search(pattern, text)
    assert match is not None, f"no {pattern!r}"
    return match.group(1)


def test_the_indicators_service_reads_the_logs_signing_key_from_its_own_secret_readable_by_its_group_alone():
    pod = pod_specs()["ogi-indicators"]
    (volume,) = [volume for volume in pod["volumes"] if volume["name"] == "log-signing-key"]
    assert volume["secret"]["secretName"] == "ogi-log-signing-key" and volume["secret"]["defaultMode"] == 0o440
    (container,) = pod["containers"]
    environment = {variable["name"]: variable.get("value") for variable in container["env"]}
    mount = next(mount for mount in container["volumeMounts"] if mount["name"] == "log-signing-key")
    assert environment["OGI_LOG_SIGNING_KEY_FILE"] == f"{mount['mountPath']}/{volume['secret']['items'][0]['path']}"
    compose_indicators = compose()["services"]["indicators"]
    assert compose_indicators["environment"]["OGI_LOG_SIGNING_KEY_FILE"] == "/run/secrets/log-signing-key"
    assert {"source": "log-signing-key", "target": "log-signing-key"} in compose_indicators["secrets"]
