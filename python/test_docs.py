"""The Python guides, run as written: every ```python and ```bash block of docs/python.md, of the
README's "Python quick start" section and of saved-models/README.md, extracted from the files
themselves and run in order in a fresh directory, with ./metaplastic this build's command line."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, classpath

BLOCK = re.compile(r"^```(python|bash)\n(.*?)^```", re.S | re.M)


def blocks(text):
    return [(kind, body) for kind, body in BLOCK.findall(text)]


def section(text, title):
    """The part of a markdown text under a heading (any level) up to the next heading of the same
    or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}\s*$", text, re.M)
    assert match, f"no section '{title}'"
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[:end.start()] if end else rest


def run(snippets, workdir):
    """One Python script: the python blocks as they are, each bash block run by the shell."""
    script = ["import subprocess as _subprocess"]
    for kind, body in snippets:
        if kind == "python":
            script.append(body)
        else:
            script.append(f"_subprocess.run({body!r}, shell=True, check=True)")
    (workdir / "metaplastic").write_text(
        "#!/bin/sh\nexec java -cp \"$METAPLASTIC_CLASSPATH\" dev.metaplastic.cli.Main \"$@\"\n")
    (workdir / "metaplastic").chmod(0o755)
    (workdir / "guide.py").write_text("\n".join(script))
    done = subprocess.run([sys.executable, "guide.py"], cwd=workdir, capture_output=True, text=True,
                          env={**os.environ, "METAPLASTIC_CLASSPATH": classpath(), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return done.stdout


def test_the_python_guide_runs_as_written(tmp_path):
    snippets = blocks((REPO / "docs/python.md").read_text())
    assert [k for k, _ in snippets].count("python") >= 3
    out = run(snippets, tmp_path)
    assert "1 tasks consolidated" in out  # Java trains on from the boundary Python consolidated


def test_the_readme_python_quick_start_runs_as_written(tmp_path):
    snippets = blocks(section((REPO / "README.md").read_text(), "Python quick start"))
    assert [k for k, _ in snippets] == ["python", "bash", "python", "bash"]
    out = run(snippets, tmp_path)
    assert "1 tasks consolidated" in out  # Java trains on from the boundary Python consolidated


def test_the_saved_models_readme_runs_as_written(tmp_path):
    snippets = blocks((REPO / "saved-models/README.md").read_text())
    assert any(kind == "python" for kind, _ in snippets)
    shutil.copytree(REPO / "saved-models", tmp_path / "saved-models")
    run([(k, b) for k, b in snippets if k == "python"], tmp_path)
