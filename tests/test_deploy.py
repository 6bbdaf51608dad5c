"""docker-compose.yml and the Dockerfile. Docker cannot run here, so their structure is
checked: the services, how they find each other, and that the image installs the package
the way the README does."""

from __future__ import annotations

import re
from importlib.metadata import version

import yaml
from conftest import ROOT

from qa.config import Settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
README = (ROOT / "README.md").read_text()


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    return env if isinstance(env, dict) else dict(x.split("=", 1) for x in env)


def test_chroma_service_is_the_official_image_with_a_volume_and_healthcheck():
    chroma = COMPOSE["services"]["chroma"]
    image, _, tag = chroma["image"].partition(":")
    assert image == "chromadb/chroma"
    # the server speaks the same API version as the installed client
    assert tag.split(".")[:2] == version("chromadb").split(".")[:2]
    assert any(v.split(":")[1] == "/data" for v in chroma["volumes"])
    assert chroma["volumes"][0].split(":")[0] in COMPOSE["volumes"]
    assert chroma["healthcheck"]["retries"] > 0
    assert "/api/v2/heartbeat" in " ".join(chroma["healthcheck"]["test"])  # a real HTTP check
    # Chroma has no key of its own: publishing its port would bypass the API's key
    assert "ports" not in chroma and chroma["expose"]
    assert chroma["restart"] == COMPOSE["services"]["api"]["restart"] == "unless-stopped"


def test_api_waits_for_chroma_and_points_at_it():
    api, chroma = COMPOSE["services"]["api"], COMPOSE["services"]["chroma"]
    assert api["build"] == "."
    assert api["depends_on"]["chroma"]["condition"] == "service_healthy"
    env = _env(api)
    chroma_port = chroma["expose"][0]
    assert env["QA_CHROMA_URL"] == f"http://chroma:{chroma_port}"
    # published on the port the API listens on, on all interfaces inside the container
    assert env["QA_HOST"] == "0.0.0.0"
    assert api["ports"][0].split(":")[1] == env["QA_PORT"]
    assert api["healthcheck"]["test"] and "/health" in " ".join(api["healthcheck"]["test"])
    # the catalog and lexical index persist in a named volume at QA_DATA_DIR
    mounts = {v.split(":")[1].split()[0]: v.split(":")[0] for v in api["volumes"]}
    assert mounts[env["QA_DATA_DIR"]] in COMPOSE["volumes"]


def test_every_setting_in_the_compose_file_exists_and_parses(monkeypatch):
    env = {k: v for k, v in _env(COMPOSE["services"]["api"]).items() if k.startswith("QA_")}
    fields = {f"QA_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    for k, v in env.items():  # as compose passes them: ${VAR:-default} unset -> default
        monkeypatch.setenv(k, re.sub(r"\$\{[^}]*:-([^}]*)\}", r"\1", v))
    s = Settings()
    assert s.chroma_url and s.api_key is None  # an unset QA_API_KEY means no key
    # the seeds indexed on first start are where the Dockerfile copies them
    (seeds,) = s.index_on_start
    workdir = re.search(r"^WORKDIR\s+(\S+)", DOCKERFILE, re.M)[1]
    assert re.search(rf"^COPY\s+seeds\s+(\./seeds|{seeds})\s*$", DOCKERFILE, re.M)
    assert str(seeds) == f"{workdir}/seeds"


def test_dockerfile_installs_like_the_readme():
    joined = DOCKERFILE.replace("\\\n", " ")  # continuation lines
    run = " ".join(re.findall(r"^RUN\s+(.*)$", joined, re.M))
    torch = run.index("pip install torch==2.13.0")
    package = run.index("pip install -e .")
    assert torch < package  # CPU torch first, so the package never resolves a CUDA build
    assert "pip install torch==2.13.0" in README and "pip install -e '.[dev]'" in README
    assert not re.search(r"pip install[^&]*\btorch(?!==)", run)
    assert re.search(r'^CMD\s+\["qa",\s*"serve"\]', DOCKERFILE, re.M)
    assert re.search(r"^FROM python:3\.11\.\d+-slim-\w+$", DOCKERFILE, re.M)  # pinned release
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.M)  # not root
    # the client matches the server image of the compose file
    server = COMPOSE["services"]["chroma"]["image"].partition(":")[2]
    assert f"chromadb=={server}" in run


def test_a_second_replica_shares_chroma_and_keeps_its_own_data():
    api, replica = COMPOSE["services"]["api"], COMPOSE["services"]["api-2"]
    assert replica["profiles"] == ["replicas"]  # `docker compose up` alone starts one API
    assert replica["build"] == api["build"] and replica["depends_on"] == api["depends_on"]
    env, env2 = _env(api), _env(replica)
    assert env2["QA_CHROMA_URL"] == env["QA_CHROMA_URL"]  # one Chroma server
    # its own collections: a data dir refuses vectors another catalog wrote
    prefix = Settings.model_fields["collection_prefix"].default
    assert env2["QA_COLLECTION_PREFIX"] != env.get("QA_COLLECTION_PREFIX", prefix)
    # its own catalog, sentence vectors and BM25 index, in its own volume
    volume = {v.split(":")[1]: v.split(":")[0] for v in replica["volumes"]}[env2["QA_DATA_DIR"]]
    assert volume in COMPOSE["volumes"] and volume not in " ".join(api["volumes"])
    assert replica["ports"][0].split(":")[0] != api["ports"][0].split(":")[0]
