"""Keras 3 models in every format, imported by `metaplastic import`: the export serves like the
source, and the Java import predicts what Keras predicts on real Fashion-MNIST test images."""

import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import metaplastic, write_csv

L = keras.layers
FORMATS = ["export", "saved_model", "keras", "h5"]
TEST_IMAGES = 256
TOLERANCE = 1e-5


def model_a():
    """Sequential; pixels / 255; GELU, tanh, a BatchNormalization after an activation, Dropout."""
    return keras.Sequential([
        keras.Input((28, 28)), L.Flatten(), L.Dense(32, activation="gelu"),
        L.BatchNormalization(), L.Dropout(0.2), L.Dense(16, activation="tanh"),
        L.Dense(10, activation="softmax")]), 1 / 255.0, False


def model_b():
    """Functional on raw pixels; Rescaling, leaky ReLU, a linear Dense with BatchNormalization,
    then an Activation layer (SiLU), GaussianNoise, and a logits output."""
    pixels = keras.Input((28, 28), name="pixels")
    h = L.Rescaling(1 / 255.0)(pixels)
    h = L.Flatten()(h)
    h = L.Dense(24, activation="leaky_relu")(h)
    h = L.Dense(24)(h)
    h = L.BatchNormalization()(h)
    h = L.Activation("silu")(h)
    h = L.GaussianNoise(0.1)(h)
    return keras.Model(pixels, L.Dense(10)(h)), 1.0, True


def model_c(train):
    """Sequential on flat vectors; an adapted Normalization, ELU (and an ELU layer with α = 0.5),
    SELU, softplus, sigmoid, ReLU, a linear hidden layer, softmax."""
    norm = L.Normalization()
    norm.adapt(train)
    return keras.Sequential([
        keras.Input((784,)), norm, L.Dense(20, activation="elu"), L.Dense(16, activation="selu"),
        L.Dense(16), L.ELU(alpha=0.5), L.Dense(16, activation="softplus"),
        L.Dense(12, activation="sigmoid"), L.Dense(12, activation="relu"), L.Dense(12),
        L.Dense(10, activation="softmax")]), 1 / 255.0, False


def save(model, fmt, path):
    if fmt == "export":
        model.export(str(path), verbose=False)
    elif fmt == "saved_model":
        tf.saved_model.save(model, str(path))
    elif fmt == "keras":
        model.save(str(path) + ".keras")
        return pathlib.Path(str(path) + ".keras")
    else:
        model.save(str(path) + ".h5")
        return pathlib.Path(str(path) + ".h5")
    return path


@pytest.fixture(scope="module")
def imports(fashion_mnist, fashion_mnist_subset, tmp_path_factory):
    """Trains the three models for a few steps, saves each in every format, imports them all with
    `metaplastic import` and predicts the test images with `metaplastic predict`, in one JVM."""
    train_x, train_y, test_x, _ = fashion_mnist
    tmp = tmp_path_factory.mktemp("keras")
    cases = {}
    commands = []
    flat = train_x[:1024].reshape(-1, 784) / 255.0
    for name, (model, scale, logits) in {
            "a": model_a(), "b": model_b(), "c": model_c(flat)}.items():
        shape = model.inputs[0].shape[1:]
        x = (train_x[:1024] * scale).reshape((-1,) + tuple(shape))
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=logits))
        model.fit(x, train_y[:1024], batch_size=128, epochs=1, verbose=0)
        images = (test_x[:TEST_IMAGES] * scale).reshape((-1,) + tuple(shape)).astype(np.float32)
        csv = tmp / f"{name}-images.csv"
        write_csv(csv, images)
        expected = model.predict(images, verbose=0)
        for fmt in FORMATS:
            source = save(model, fmt, tmp / f"{name}-{fmt}")
            out = tmp / f"{name}-{fmt}-imported"
            cases[(name, fmt)] = dict(source=source, out=out, images=images, expected=expected,
                                      logits=logits, predictions=tmp / f"{name}-{fmt}.csv",
                                      export=tmp / f"{name}-export")
            commands.append(["import", source, out, "--data-dir", fashion_mnist_subset])
            commands.append(["predict", out, "--input", csv, "--output", cases[(name, fmt)]["predictions"]])
    results = metaplastic(tmp, *commands)
    for i, key in enumerate(cases):
        cases[key]["import"] = results[2 * i]
        cases[key]["predict"] = results[2 * i + 1]
    return cases


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("name", ["a", "b", "c"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_java_import_predicts_what_keras_predicts(imports, name, fmt):
    case = imports[(name, fmt)]
    assert case["import"]["status"] == 0, case["import"]["err"]
    assert case["predict"]["status"] == 0, case["predict"]["err"]
    java = np.loadtxt(case["predictions"], delimiter=",", dtype=np.float64, ndmin=2)
    java = java[:, -10:]  # the class column first, then one probability per class
    keras_probabilities = softmax(case["expected"]) if case["logits"] else case["expected"]
    difference = float(np.abs(java - keras_probabilities).max())
    record(f"java predict vs keras, model {name}, {fmt}", difference)
    assert difference <= TOLERANCE


@pytest.mark.parametrize("name", ["a", "b", "c"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_serves_like_the_source(imports, name, fmt):
    """Same input and output keys, dtypes and shapes as the source's serving_default (for a
    .keras or .h5 file: as model.export's), and the same outputs within 1e-5."""
    case = imports[(name, fmt)]
    assert case["import"]["status"] == 0, case["import"]["err"]
    ours = tf.saved_model.load(str(case["out"])).signatures["serving_default"]
    source_dir = case["source"] if fmt in ("export", "saved_model") else case["export"]
    theirs = tf.saved_model.load(str(source_dir)).signatures["serving_default"]
    if fmt in ("export", "saved_model"):
        assert interface(ours) == interface(theirs)
    else:
        # model.export names a Sequential model's input after its Keras tensor, keras_tensor (or
        # keras_tensor_<n> when several models were built in one process), which no file records.
        (ours_in, ours_out), (their_in, their_out) = interface(ours), interface(theirs)
        assert list(ours_in) == ["pixels" if name == "b" else "keras_tensor"]
        assert list(ours_in.values()) == list(their_in.values()) and ours_out == their_out
    (key,) = ours.structured_input_signature[1]
    (out,) = ours.structured_outputs
    served = ours(**{key: tf.constant(case["images"])})[out].numpy()
    difference = float(np.abs(served - case["expected"]).max())
    record(f"exported serving_default vs keras, model {name}, {fmt}", difference)
    assert difference <= TOLERANCE


def interface(signature):
    inputs = {k: (v.dtype.name, tuple(v.shape)) for k, v in signature.structured_input_signature[1].items()}
    outputs = {k: (v.dtype.name, tuple(v.shape)) for k, v in signature.structured_outputs.items()}
    return inputs, outputs


def test_the_printed_mapping_says_what_was_folded(imports):
    out = imports[("a", "keras")]["import"]["out"]
    assert "folded in exactly: batch_normalization (BatchNormalization)" in out
    assert "hidden gelu, tanh, output softmax" in out
    b = imports[("b", "export")]["import"]["out"]
    assert "input transform: x * scale + offset" in b
    assert "hidden leaky_relu, silu, output linear" in b
    assert "checked against serving_default on the first 64 of the given images" in b
    c = imports[("c", "h5")]["import"]["out"]
    assert "hidden elu, selu, elu(0.5), softplus, sigmoid, relu, linear, output softmax" in c


@pytest.mark.parametrize("fmt", ["keras", "export"])
def test_unsupported_layers_are_named_and_nothing_is_written(fmt, tmp_path):
    conv = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(4, 3, name="edges"), L.Flatten(),
                             L.Dense(10, activation="softmax")])
    pixels = keras.Input((784,))
    a = L.Dense(8, activation="relu")(pixels)
    b = L.Dense(8, activation="tanh")(pixels)
    branched = keras.Model(pixels, L.Dense(10)(L.Add(name="merge")([a, b])))
    sources = [save(conv, fmt, tmp_path / "conv"), save(branched, fmt, tmp_path / "branched")]
    results = metaplastic(tmp_path, *[["import", s, tmp_path / f"out{i}"] for i, s in enumerate(sources)])
    for i, result in enumerate(results):
        assert result["status"] == 2
        assert result["err"].startswith("error: ") and result["err"].count("\n") == 1, result["err"]
        assert not (tmp_path / f"out{i}").exists()
    if fmt == "keras":
        assert "layer 'edges' is a Conv2D" in results[0]["err"]
        assert "only models whose layers form a chain import" in results[1]["err"]
    else:
        assert "(Conv2D)" in results[0]["err"]
        assert "serving_default" in results[1]["err"]


MEASUREMENTS = pathlib.Path.cwd() / "python-measurements.json"


def record(what, value):
    data = json.loads(MEASUREMENTS.read_text()) if MEASUREMENTS.exists() else {}
    data[what] = value
    MEASUREMENTS.write_text(json.dumps(data, indent=1, sort_keys=True))
