"""`unspin batch --engine spark`: a real Spark on local[2] and on a standalone master + worker started here
(every process bound to 127.0.0.1), giving the same rows as the local engine, byte for byte."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, ROOT, run_cli
from unspin.engines.local import run_local
from unspin.engines.run import BatchConfig
from unspin.engines.spark import run_spark

pyspark = pytest.importorskip("pyspark")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (.ci/run installs it)")

CORPUS = FIXTURES / "corpus"
SECTIONS = "entities,quotes,narratives,narratives_taxonomy,entity_roles"
SPARK_HOME = Path(pyspark.__file__).parent
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # the driver, and the executors it starts, bind to loopback only


def rows(out: Path) -> list[dict[str, object]]:
    table = pq.read_table(out / "parts").drop_columns(["elapsed_ms"]).sort_by("key")
    return table.to_pylist()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    tmp = tmp_path_factory.mktemp("spark")
    kb = tmp / "kb.sqlite"
    assert (
        run_cli("kb", "import", str(CORPUS / "kb.jsonl"), "--format", "jsonl", "--kb", str(kb)).returncode
        == 0
    )
    bad = tmp / "bad.jsonl"
    bad.write_bytes(
        b'{"id": "empty", "text": ""}\n{"id": "num", "text": 7}\n{"id": "x", "text": "caf\xe9"}\n'
    )
    return [CORPUS / "articles.jsonl", bad], kb


@pytest.fixture(scope="module")
def local_out(inputs: tuple[list[Path], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths, kb = inputs
    out = tmp_path_factory.mktemp("local") / "out"
    config = BatchConfig(inputs=paths, out=out, kb=kb, sections=SECTIONS.split(","), chunk_rows=3)
    run_local(config, quiet=True)
    return out


def spark_batch(paths: list[Path], kb: Path, out: Path, *extra: str) -> None:
    args = [*map(str, paths), "--out", str(out), "--engine", "spark", "--kb", str(kb)]
    result = run_cli("batch", *args, "--sections", SECTIONS, "--chunk-rows", "3", *extra)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """One in-process local[2] session for the tests below: the engine uses an active session and leaves it
    running, so its JVM and its Python workers (models loaded) serve every test of the module."""
    from unspin.engines.spark import spark_session

    session = spark_session("local[2]", 2)
    yield session
    session.stop()


def test_local_2_gives_the_local_engines_rows(
    inputs: tuple[list[Path], Path], local_out: Path, spark: object, tmp_path: Path
) -> None:
    paths, kb = inputs
    config = BatchConfig(
        inputs=paths, out=tmp_path / "out", engine="spark", workers=2, kb=kb, sections=SECTIONS.split(","),
        chunk_rows=3,
    )  # fmt: skip
    manifest = run_spark(config, quiet=True)
    assert manifest["counts"] == {"rows": 13, "ok": 10, "errors": 3}
    assert rows(tmp_path / "out") == rows(local_out)
    got = {r["id"]: r for r in rows(tmp_path / "out")}
    assert got["b1"]["narratives"] == ["fixture-west-war"]  # the KB reached the executors (addFile)
    # The storylines and the cast reach the rows on both engines (equal rows above).
    assert got["b1"]["actors"] and len(got["b1"]["actors"]) == len(got["b1"]["actor_roles"])
    assert set(got["b1"]["actor_roles"]) <= {"Protagonist", "Antagonist", "Innocent"}
    assert isinstance(got["b1"]["storylines"], list)
    assert got["num"]["status"] == "error" and "not a string" in str(got["num"]["error"])
    assert sorted(p.name for p in (tmp_path / "out" / "parts").iterdir()) == sorted(
        p.name for p in (local_out / "parts").iterdir()
    )
    assert not (tmp_path / "out" / "staging").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[str]:
    """A Spark standalone master and one worker (2 cores) on 127.0.0.1, stopped afterwards."""
    env = dict(os.environ, SPARK_HOME=str(SPARK_HOME), SPARK_LOCAL_IP="127.0.0.1", SPARK_NO_DAEMONIZE="1")
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    port = _free_port()
    master_url = f"spark://127.0.0.1:{port}"
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("master", "worker")}
    procs = [
        subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
             "--webui-port", str(_free_port())],
            env=env, stdout=logs["master"], stderr=subprocess.STDOUT, start_new_session=True,
        ),
        subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.worker.Worker", master_url, "--host", "127.0.0.1",
             "--cores", "2", "--memory", "2g", "--webui-port", str(_free_port()),
             "--work-dir", str(tmp_path / "work")],
            env=env, stdout=logs["worker"], stderr=subprocess.STDOUT, start_new_session=True,
        ),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while "Registering worker" not in (tmp_path / "master.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "master.log").read_text()[-2000:]
            assert all(p.poll() is None for p in procs), (tmp_path / "worker.log").read_text()[-2000:]
            time.sleep(0.5)
        yield master_url
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for fh in logs.values():
            fh.close()


def test_standalone_cluster_resumes_a_local_run_to_the_same_rows(
    inputs: tuple[list[Path], Path], local_out: Path, standalone: str, tmp_path: Path
) -> None:
    """Half the local engine's part files are lost; the cluster writes them again, identical."""
    paths, kb = inputs
    out = tmp_path / "out"
    shutil.copytree(local_out, out)
    (out / "manifest.json").unlink()
    lost = sorted((out / "parts").glob("part-*.parquet"))[::2]
    for part in lost:
        part.unlink()
    spark_batch(paths, kb, out, "--master", standalone)
    assert rows(out) == rows(local_out)
    assert all(part.exists() for part in lost)
    assert (out / "manifest.json").exists()


def test_spark_submit_entry_point_is_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "src" / "unspin" / "spark_submit.py"), "--help"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and "--engine" in result.stdout


def test_clustering_on_spark_gives_the_local_clusters(local_out: Path, spark: object, tmp_path: Path) -> None:
    from unspin.corpus.report import build_report

    local = build_report(local_out, tmp_path / "local" / "corpus.html")
    spark = build_report(local_out, tmp_path / "spark" / "corpus.html", spark_master="local[2]")
    assert local["clusters"] == spark["clusters"] == 2
    csvs = [(tmp_path / side / "corpus_csv" / "clusters.csv").read_text() for side in ("local", "spark")]
    assert csvs[0] == csvs[1]
