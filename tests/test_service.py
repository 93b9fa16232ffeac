"""Chapter 8's HTTP service: every route and every kind of bad request, micro-batching, and the real
server started as a user starts it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from medai.core.source_cnn import SourceCNN  # noqa: E402
from medai.evaluation.package import (  # noqa: E402
    ModelPackageError,
    load_model_package,
    save_model_package,
)
from medai.evaluation.service import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def package_folder(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("package")
    return save_model_package(folder, SourceCNN().eval(), "SourceCNN", temperature=1.5, threshold=0.4,
                              version="test-1", card={"model": {"name": "untrained test CNN"}})  # fmt: skip


@pytest.fixture(scope="module")
def client(package_folder) -> TestClient:
    with TestClient(create_app(load_model_package(package_folder))) as c:
        yield c


def png(size=(28, 28), mode="L") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).convert(mode).save(buffer, "PNG")
    return buffer.getvalue()


def test_health_and_model_card_name_the_weights(client, package_folder):
    manifest = json.loads((package_folder / "manifest.json").read_text())
    health = client.get("/health").json()
    assert health == {"status": "ok", "model_version": "test-1", "package_sha256": manifest["package_sha256"],
                      "weights_sha256": manifest["weights_sha256"]}
    assert client.get("/model-card").json() == {"model": {"name": "untrained test CNN"}}


def test_the_three_ways_to_send_an_image_give_the_same_answer(client):
    from PIL import Image

    image = png()
    pixels = np.asarray(Image.open(io.BytesIO(image))).tolist()
    answers = [
        client.post("/predict", content=image, headers={"content-type": "image/png"}).json(),
        client.post("/predict", files={"image": ("x.png", image, "image/png")}).json(),
        client.post("/predict", json={"pixels": pixels}).json(),
    ]
    assert answers[0]["probability"] == pytest.approx(answers[1]["probability"]) == pytest.approx(answers[2]["probability"], abs=1e-6)
    first = answers[0]
    assert 0 <= first["probability"] <= 1 and first["threshold"] == 0.4 and first["model_version"] == "test-1"
    assert first["label"] == ("pneumonia" if first["probability"] >= 0.4 else "normal")
    colour = client.post("/predict", content=png(mode="RGB"), headers={"content-type": "image/png"})
    assert colour.status_code == 200  # colour is turned grey


def encoded(pixels: np.ndarray, fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt)
    return buffer.getvalue()


def test_a_16_bit_image_is_scaled_to_8_bits_not_clipped_to_white(client):
    from medai.evaluation.service import image_pixels

    eight = np.random.default_rng(1).integers(0, 256, (28, 28), dtype=np.uint8)
    sixteen = eight.astype(np.uint16) * 257  # the same picture stored at 16 bits
    assert np.array_equal(image_pixels(encoded(sixteen)), eight)
    answers = [client.post("/predict", content=encoded(p), headers={"content-type": "image/png"}).json()["probability"]
               for p in (eight, sixteen)]  # fmt: skip
    assert answers[0] == pytest.approx(answers[1])


@pytest.mark.parametrize("value", [0, 255])
def test_a_blank_image_is_refused_however_it_is_sent(client, value):
    blank = np.full((28, 28), value, dtype=np.uint8)
    for response in (client.post("/predict", content=encoded(blank), headers={"content-type": "image/png"}),
                     client.post("/predict", json={"pixels": blank.tolist()})):  # fmt: skip
        assert response.status_code == 422 and "blank" in response.json()["detail"]


@pytest.mark.parametrize(
    "fmt, declared, words",
    [("GIF", "image/png", "is a GIF image"), ("BMP", "image/jpeg", "is a BMP image"),
     ("JPEG", "image/png", "sent as image/png but is a JPEG"), ("PNG", "image/jpeg", "sent as image/jpeg but is a PNG")],
)  # fmt: skip
def test_the_format_must_be_png_or_jpeg_and_match_its_label(client, fmt, declared, words):
    picture = encoded(np.random.default_rng(2).integers(0, 256, (28, 28), dtype=np.uint8), fmt)
    response = client.post("/predict", content=picture, headers={"content-type": declared})
    assert response.status_code == 415 and words in response.json()["detail"]
    form = client.post("/predict", files={"image": ("x", picture, declared)})
    assert form.status_code == 415 and words in form.json()["detail"]


@pytest.mark.parametrize(
    "kwargs, status, words",
    [
        ({"content": b"hello", "headers": {"content-type": "text/plain"}}, 415, "unsupported content type"),
        ({"content": b"\x89PNG broken", "headers": {"content-type": "image/png"}}, 400, "not a readable PNG"),
        ({"content": png((64, 64)), "headers": {"content-type": "image/png"}}, 422, "got 64x64"),
        ({"json": {"pixels": [[0] * 28] * 27}}, 422, "shape (28, 28)"),
        ({"json": {"pixels": [[300] * 28] * 28}}, 422, "from 0 to 255"),
        ({"content": b'{"pixels": NaN}', "headers": {"content-type": "application/json"}}, 422, "shape"),
        ({"json": {"image": 1}}, 422, '"pixels" field'),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "not valid JSON"),
        ({"content": b"", "headers": {"content-type": "image/png"}}, 400, "no body"),
        ({"files": {"file": ("x.png", b"...", "image/png")}}, 422, 'field named "image"'),
        ({"content": b"x" * 300_000, "headers": {"content-type": "image/png"}}, 413, "over the limit"),
    ],
)
def test_bad_requests_get_a_4xx_that_says_what_was_wrong(client, kwargs, status, words):
    response = client.post("/predict", **kwargs)
    assert response.status_code == status and words in response.json()["detail"]
    assert client.get("/health").status_code == 200  # and the service is still up


def test_json_nested_too_deeply_is_a_400_not_a_crash(client):
    for depth in (100_000, 900):  # past the parser's recursion limit; parsed, but too deep for numpy
        body = b'{"pixels": ' + b"[" * depth + b"]" * depth + b"}"
        response = client.post("/predict", content=body, headers={"content-type": "application/json"})
        assert response.status_code in (400, 422) and "Traceback" not in response.text, depth
        assert ("nested too deeply" if depth > 1000 else "28 rows") in response.json()["detail"]
    assert client.get("/health").status_code == 200


def test_a_stalled_upload_gets_a_408_and_frees_the_connection(package_folder):
    app = create_app(load_model_package(package_folder), body_timeout_s=0.2)
    sent, replies = [], []

    async def receive():  # the first bytes arrive, then nothing more
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": b'{"pixels": [[0', "more_body": True}
        await asyncio.sleep(3600)

    async def send(message):
        replies.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/predict", "raw_path": b"/predict", "root_path": "", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"5000")],
             "server": ("test", 80), "client": ("test", 1)}  # fmt: skip
    start = time.perf_counter()
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
    assert time.perf_counter() - start < 5
    assert replies[0]["status"] == 408 and b"did not arrive" in replies[1]["body"]


def test_nan_pixels_are_refused(client):
    body = json.dumps({"pixels": [[float("nan")] * 28] * 28})  # Python writes NaN, which JSON parsers accept
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and "finite" in response.json()["detail"]


def test_requests_arriving_together_are_scored_as_one_batch(package_folder):
    import httpx

    package = load_model_package(package_folder)
    batched = create_app(package, batch_wait_ms=20)
    single = create_app(package)
    images = [np.random.default_rng(i).integers(0, 256, (28, 28)).tolist() for i in range(16)]

    async def ask(app):
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                answers = await asyncio.gather(*(http.post("/predict", json={"pixels": p}) for p in images))
        return [a.json()["probability"] for a in answers]

    together, alone = asyncio.run(ask(batched)), asyncio.run(ask(single))
    assert together == pytest.approx(alone, abs=1e-6)  # batching changes nothing but speed
    assert max(batched.state.batcher.batches) > 1 and sum(batched.state.batcher.batches) == 16


def test_weights_that_do_not_match_their_hash_are_refused(package_folder, tmp_path):
    import shutil

    copy = Path(shutil.copytree(package_folder, tmp_path / "copy"))
    state = torch.load(copy / "weights.pt", weights_only=True)
    state["classifier.1.bias"] = state["classifier.1.bias"] + 1 if "classifier.1.bias" in state else state[next(iter(state))] + 1
    torch.save(state, copy / "weights.pt")
    with pytest.raises(ModelPackageError, match="refusing to serve"):
        load_model_package(copy)
    with pytest.raises(ModelPackageError, match="manifest.json is missing"):
        load_model_package(tmp_path)


@pytest.mark.parametrize(
    "edit, message",
    [
        ({"temperature": -1}, "finite temperature above 0"),
        ({"threshold": 7}, "threshold between 0 and 1"),
        ({"temperature": float("nan")}, "finite temperature"),
        ({"threshold": "0.5"}, "threshold between 0 and 1"),
        ({"weights_sha256": "abc"}, "64 hexadecimal"),
        ({"version": "test-2"}, "changed after the package was written"),
        ({"temperature": 1.0}, "changed after the package was written"),
    ],
    ids=["negative-temperature", "threshold-7", "nan", "threshold-text", "short-hash", "version", "plausible-temperature"],
)
def test_an_edited_manifest_is_refused_with_what_is_wrong(package_folder, tmp_path, edit, message):
    """Issue 28, item 1: a temperature of -1 once turned a 'normal' image into 'pneumonia' while the
    service reported the original weights' hash. Every value is checked, and the package hash covers them."""
    import shutil

    copy = Path(shutil.copytree(package_folder, tmp_path / "copy"))
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps({**manifest, **edit}))
    with pytest.raises(ModelPackageError, match=message):
        load_model_package(copy)


class _RunsCode:
    """What a malicious weights file carries: unpickling it would run a command."""

    def __reduce__(self):
        return (os.system, ("echo this should never run",))


def test_weights_that_carry_code_are_refused_even_with_every_hash_updated(package_folder, tmp_path):
    import shutil

    from medai.evaluation.export import file_sha256
    from medai.evaluation.package import package_digest

    copy = Path(shutil.copytree(package_folder, tmp_path / "copy"))
    torch.save({"weight": _RunsCode()}, copy / "weights.pt")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["weights_sha256"] = file_sha256(copy / "weights.pt")  # whoever planted it also fixed the hashes
    manifest["package_sha256"] = package_digest(manifest, (copy / "model_card.yaml").read_text())
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelPackageError, match="cannot be read as plain weights"):
        load_model_package(copy)
    result = subprocess.run([sys.executable, "-m", "medai", "serve", "--model", str(copy), "--port", str(free_port())],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode != 0 and "cannot be read as plain weights" in result.stderr
    assert "Traceback" not in result.stderr and "should never run" not in result.stdout + result.stderr


def test_an_edited_or_broken_card_and_an_unexpected_package_are_refused(package_folder, tmp_path):
    import shutil

    package = load_model_package(package_folder, expected_sha256=load_model_package(package_folder).package_sha256)
    assert len(package.package_sha256) == 64
    with pytest.raises(ModelPackageError, match="not the expected"):
        load_model_package(package_folder, expected_sha256="0" * 64)
    copy = Path(shutil.copytree(package_folder, tmp_path / "copy"))
    (copy / "model_card.yaml").write_text("model: {name: a better model}\n")
    with pytest.raises(ModelPackageError, match="changed after"):
        load_model_package(copy)
    (copy / "model_card.yaml").write_text("model: [unclosed\n")
    with pytest.raises(ModelPackageError, match="not valid YAML"):
        load_model_package(copy)
    (copy / "manifest.json").write_text("[1, 2]")
    with pytest.raises(ModelPackageError, match="not a JSON object"):
        load_model_package(copy)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def started_server(package_folder: Path) -> tuple[subprocess.Popen, int, dict]:
    """``medai serve`` started as a user starts it, once it answers: the process, its port and /health."""
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "medai", "serve", "--model", str(package_folder), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ},
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            return server, port, httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"the server did not start: {server.stderr.read()}") from None
            time.sleep(0.5)


def test_the_real_server_answers_on_localhost(package_folder):
    import httpx

    server, port, health = started_server(package_folder)
    try:
        assert health["model_version"] == "test-1"
        answer = httpx.post(f"http://127.0.0.1:{port}/predict", json={"pixels": [[(r * 28 + c) % 256 for c in range(28)] for r in range(28)]}, timeout=10)
        assert answer.status_code == 200 and 0 <= answer.json()["probability"] <= 1
        assert httpx.post(f"http://127.0.0.1:{port}/predict", content=b"x", timeout=10).status_code == 415
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "POST /predict 200" in errors and "POST /predict 415" in errors  # each request is logged
    assert "Traceback" not in errors


def test_a_stalled_upload_does_not_hold_up_shutdown_and_a_disconnect_is_one_line(package_folder):
    import signal

    server, port, _ = started_server(package_folder)
    try:
        head = (f"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: 200000\r\n\r\n").encode()  # fmt: skip
        leaver = socket.create_connection(("127.0.0.1", port), timeout=5)
        leaver.sendall(head + b'{"pi')
        time.sleep(1)
        leaver.close()  # a client that leaves mid-body
        staller = socket.create_connection(("127.0.0.1", port), timeout=5)
        staller.sendall(head + b'{"pi')  # and one that stops sending
        time.sleep(1)
        stopped = time.monotonic()
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=60)
        waited = time.monotonic() - stopped
        staller.close()
    finally:
        if server.poll() is None:
            server.kill()
    assert waited < 8, f"the server took {waited:.1f} s to stop with a stalled upload open"
    assert "client disconnected" in errors and "Traceback" not in errors, errors


def test_a_port_in_use_is_an_error_before_anything_says_serving(package_folder):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "medai", "serve", "--model", str(package_folder), "--port", str(port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "serving" not in done.stderr and "Traceback" not in done.stderr


def test_the_listening_socket_sends_small_responses_at_once():
    from medai.evaluation.serve import _listen

    listener = _listen("127.0.0.1", 0)  # accepted connections inherit TCP_NODELAY: no 40 ms Nagle wait per reply
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        listener.close()


def test_bench_serve_runs_a_small_load_test_without_errors(package_folder):
    result = subprocess.run(
        [sys.executable, "-m", "medai", "bench", "serve", "--model", str(package_folder), "--requests", "40",
         "--concurrency", "1", "4"], cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines() if line.strip().startswith(("one", "micro"))]
    assert len(lines) == 4 and all(line[-1] == "0" for line in lines)  # four rows, no errors
    assert "ONNX speed-up" in result.stdout
