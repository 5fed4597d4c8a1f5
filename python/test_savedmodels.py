"""Every kind of SavedModel the project writes, loaded in Python TensorFlow: each signature gives
what Java computes, the continual-learning loop completes from Python (train_step,
consolidate_with_data, save), and Java loads the saved state and trains on from it."""

import json
import shutil

import numpy as np
import pytest
import tensorflow as tf

from conftest import java, metaplastic

ATOL = 1e-6
RTOL = 1e-5


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The SavedModels and Java's values of their signatures, written by PythonParity."""
    out = tmp_path_factory.mktemp("savedmodels")
    java("write", out)
    return {d.name: (d, json.loads((d / "reference.json").read_text()))
            for d in sorted(out.iterdir()) if (d / "reference.json").exists()}


KINDS = ["si", "ewc", "online_ewc", "mas", "gpm", "benna_fusi", "meta", "ewc_neuromod_lr",
         "single_head_gelu_tanh_ewc", "binarized_meta", "plastic_hebbian", "plastic_gradient"]


def mlp_feeds(reference, batch="batch", with_task=True):
    b = reference[batch]
    feeds = {"x": tf.constant(np.array(b["x"], np.float32).reshape(len(b["y"]), -1)),
             "y": tf.constant(np.array(b["y"], np.int32))}
    if reference["multi_head"] and with_task:
        feeds["task"] = tf.constant(np.array(b["task"], np.int32))
    return feeds


def episode_feeds(reference, batch="batch"):
    b = reference[batch]
    shape = (b["batch"], b["steps"])
    return {"inputs": tf.constant(np.array(b["inputs"], np.float32).reshape(shape + (b["input_size"],))),
            "targets": tf.constant(np.array(b["targets"], np.float32).reshape(shape + (b["output_size"],))),
            "mask": tf.constant(np.array(b["mask"], np.float32).reshape(shape))}


def stats(state):
    """Sum and sum of squares of every float variable of a `state` signature's output."""
    return {name: [float(np.sum(v.numpy(), dtype=np.float64)),
                   float(np.sum(np.square(v.numpy(), dtype=np.float64)))]
            for name, v in state.items() if v.dtype == tf.float32}


def assert_stats(actual, expected):
    assert sorted(actual) == sorted(expected)
    for name in expected:
        np.testing.assert_allclose(actual[name], expected[name], rtol=RTOL, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("kind", KINDS)
def test_every_signature_gives_what_java_computes(written, kind):
    directory, reference = written[kind]
    model = tf.saved_model.load(str(directory / "model"))
    assert_stats(stats(model.signatures["state"]()), reference["state"])
    if reference["kind"] == "mlp":
        feeds = mlp_feeds(reference)
        serving = model.signatures["serving_default"](
            **{k: v for k, v in feeds.items() if k != "y"})
        for key in ("probabilities", "logits"):
            np.testing.assert_allclose(serving[key].numpy().ravel(), reference["serving_default"][key],
                                       rtol=RTOL, atol=ATOL)
        evaluate = model.signatures["evaluate"](**feeds)
        assert float(evaluate["correct"]) == reference["evaluate"]["correct"]
        step = model.signatures["train_step"](**feeds)
        np.testing.assert_allclose(float(step["loss"]), reference["train_step"]["loss"], rtol=1e-6)
        np.testing.assert_allclose(float(step["penalty"]), reference["train_step"]["penalty"], rtol=1e-6, atol=1e-7)
        assert_stats(stats(model.signatures["state"]()), reference["train_step"]["state"])
        fresh = tf.saved_model.load(str(directory / "model"))
        done = fresh.signatures["consolidate_with_data"](**feeds, seed=tf.constant(7, tf.int64))
        assert int(done["tasks_consolidated"]) == reference["consolidate_with_data"]["tasks_consolidated"]
        assert_stats(stats(fresh.signatures["state"]()), reference["consolidate_with_data"]["state"])
    else:
        feeds = episode_feeds(reference)
        logits = model.signatures["predict_episode"](inputs=feeds["inputs"])["logits"]
        np.testing.assert_allclose(logits.numpy().ravel(), reference["predict_episode"], rtol=RTOL, atol=ATOL)
        evaluate = model.signatures["evaluate_episode"](**feeds)
        np.testing.assert_allclose(float(evaluate["loss"]), reference["evaluate_episode"]["loss"], rtol=1e-6)
        step = model.signatures["train_episode"](**feeds)
        np.testing.assert_allclose(float(step["loss"]), reference["train_episode"]["loss"], rtol=1e-6)
        assert_stats(stats(model.signatures["state"]()), reference["train_episode"]["state"])


@pytest.fixture(scope="module")
def java_reports(written):
    """For every kind: Python trains a copy (and consolidates it on a batch), saves it with the
    save signature, and takes one more step from a fresh load of what it saved; then Java loads
    every saved directory, in one run, and reports whether it finds the same state and counters and
    whether its next step gives the same loss."""
    for kind in KINDS:
        directory, reference = written[kind]
        saved = directory / "saved"
        shutil.rmtree(saved, ignore_errors=True)
        shutil.copytree(directory / "model", saved)
        model = tf.saved_model.load(str(saved))
        record = {}
        if reference["kind"] == "mlp":
            feeds = mlp_feeds(reference)
            model.signatures["train_step"](**feeds)
            record["tasks_consolidated"] = int(model.signatures["consolidate_with_data"](
                **feeds, seed=tf.constant(11, tf.int64))["tasks_consolidated"])
            model.signatures["train_step"](**feeds)
        else:
            model.signatures["train_episode"](**episode_feeds(reference))
            record["training_steps"] = int(model.signatures["state"]()["training_steps"])
        record["state"] = stats(model.signatures["state"]())
        model.signatures["save"](directory=tf.constant(str(saved)))
        again = tf.saved_model.load(str(saved))
        assert_stats(stats(again.signatures["state"]()), record["state"])
        if reference["kind"] == "mlp":
            next_step = again.signatures["train_step"](**mlp_feeds(reference, "next_batch"))
        else:
            next_step = again.signatures["train_episode"](**episode_feeds(reference, "next_batch"))
        record["next_loss"] = float(next_step["loss"])
        (directory / "python.json").write_text(json.dumps(record))
    done = java("check", *[written[kind][0] for kind in KINDS], check=False)
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == len(KINDS), done.stdout + done.stderr[-3000:]
    return dict(zip(KINDS, reports))


@pytest.mark.parametrize("kind", KINDS)
def test_state_trained_in_python_comes_back_to_java(java_reports, kind):
    assert java_reports[kind]["ok"], java_reports[kind]


@pytest.mark.parametrize("kind", ["si", "gpm", "binarized_meta"])
def test_an_out_of_range_task_fails_in_every_signature(written, kind):
    directory, reference = written[kind]
    model = tf.saved_model.load(str(directory / "model"))
    feeds = mlp_feeds(reference)
    feeds["task"] = tf.fill(feeds["y"].shape, reference["heads"])
    calls = {
        "serving_default": {k: v for k, v in feeds.items() if k != "y"},
        "train_step": feeds,
        "evaluate": feeds,
        "consolidate_with_data": {**feeds, "seed": tf.constant(1, tf.int64)},
    }
    for signature, arguments in calls.items():
        with pytest.raises(tf.errors.InvalidArgumentError, match="task ids must be in"):
            model.signatures[signature](**arguments)


def test_a_savedmodel_saved_by_tensorflow_2_without_its_variables_gets_a_one_line_error(written, tmp_path):
    """tf.saved_model.save of a loaded Metaplastic model writes no values (TensorFlow 2 does not
    track reference variables); Java says so in one line instead of failing later."""
    directory, _ = written["si"]
    target = tmp_path / "resaved"
    tf.saved_model.save(tf.saved_model.load(str(directory / "model")), str(target))
    shutil.copytree(directory / "model" / "assets", target / "assets", dirs_exist_ok=True)
    (tmp_path / "x.csv").write_text(",".join(["0.5"] * 784) + "\n")
    (result,) = metaplastic(tmp_path, ["predict", target, "--task", "0", "--input", tmp_path / "x.csv"])
    assert result["status"] == 2
    assert result["err"].count("\n") == 1 and "tf.saved_model.save" in result["err"], result["err"]
