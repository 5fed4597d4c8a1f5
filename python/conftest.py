"""Shared pieces of the Python suite: Fashion-MNIST, the Java side, small Keras models.

The suite runs in `./mvnw -B verify` (integration-tests, integration-test phase), which sets
METAPLASTIC_CLASSPATH (the integration tests' classpath: the library, its dependencies and
dev.metaplastic.it.PythonParity) and METAPLASTIC_REPO.
"""

import gzip
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = pathlib.Path(os.environ.get("METAPLASTIC_REPO", pathlib.Path(__file__).resolve().parent.parent)).resolve()
FASHION_MNIST = pathlib.Path("/usr/share/datasets/fashion-mnist")


def classpath():
    value = os.environ.get("METAPLASTIC_CLASSPATH")
    if not value:
        pytest.fail("METAPLASTIC_CLASSPATH is not set: run the suite through ./mvnw -B verify")
    return value


def java(*args, check=True):
    """Runs dev.metaplastic.it.PythonParity with the given arguments; returns the finished process."""
    done = subprocess.run(
        ["java", "-cp", classpath(), "dev.metaplastic.it.PythonParity", *map(str, args)],
        capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if check and done.returncode != 0:
        raise AssertionError(f"PythonParity {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-4000:]}")
    return done


def metaplastic(tmp_path, *commands):
    """Runs `metaplastic` command lines (lists of arguments) in one JVM; returns
    [{"status", "out", "err"}] in order."""
    path = tmp_path / "commands.json"
    path.write_text(json.dumps([[str(a) for a in c] for c in commands]))
    return json.loads(java("cli", path).stdout)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


@pytest.fixture(scope="session")
def fashion_mnist():
    """(train images, train labels, test images, test labels); images as raw pixels 0..255 float32."""
    if not FASHION_MNIST.is_dir():
        pytest.fail(f"Fashion-MNIST is not in {FASHION_MNIST} (apt-get install dataset-fashion-mnist)")
    return (read_idx(FASHION_MNIST / "train-images-idx3-ubyte.gz").astype(np.float32),
            read_idx(FASHION_MNIST / "train-labels-idx1-ubyte.gz").astype(np.int32),
            read_idx(FASHION_MNIST / "t10k-images-idx3-ubyte.gz").astype(np.float32),
            read_idx(FASHION_MNIST / "t10k-labels-idx1-ubyte.gz").astype(np.int32))


@pytest.fixture(scope="session")
def fashion_mnist_subset(fashion_mnist, tmp_path_factory):
    """A directory of Fashion-MNIST IDX files holding the first 2048 training and 1024 test images,
    for `--data-dir`: the commands read real images without parsing all 70,000 each time."""
    train_x, train_y, test_x, test_y = fashion_mnist
    out = tmp_path_factory.mktemp("fashion-mnist")
    for name, array in [("train-images-idx3-ubyte", train_x[:2048]), ("train-labels-idx1-ubyte", train_y[:2048]),
                        ("t10k-images-idx3-ubyte", test_x[:1024]), ("t10k-labels-idx1-ubyte", test_y[:1024])]:
        data = array.astype(np.uint8)
        header = bytes([0, 0, 8, data.ndim]) + b"".join(d.to_bytes(4, "big") for d in data.shape)
        with gzip.open(out / f"{name}.gz", "wb") as f:
            f.write(header + data.tobytes())
    return out


def write_csv(path, images):
    np.savetxt(path, images.reshape(len(images), -1), delimiter=",", fmt="%.9g")
