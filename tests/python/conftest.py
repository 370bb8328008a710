import os
import shutil
import subprocess

import pytest


def outcore_bin() -> str:
    path = os.environ.get("OUTCORE_BIN") or shutil.which("outcore")
    if not path:
        pytest.fail("the `outcore` command is not on PATH; run scripts/build.sh first")
    return path


@pytest.fixture(scope="session")
def outcore_cmd():
    return outcore_bin()


def run(*args, check=True, **kwargs):
    return subprocess.run([outcore_bin(), *map(str, args)], capture_output=True, text=True, check=check, **kwargs)


@pytest.fixture(scope="session")
def clean_csv(tmp_path_factory):
    """20,000 generated rows without dirt (every row must come back)."""
    path = tmp_path_factory.mktemp("gen") / "clean.csv"
    run("gen", "--rows", 20000, "--seed", 7, "--no-dirt", "-o", path)
    return path


@pytest.fixture(scope="session")
def dirty_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "dirty.csv"
    run("gen", "--rows", 50000, "--seed", 11, "-o", path)
    return path
